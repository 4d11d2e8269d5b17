// Loads an HTML report in Debian's chromium (headless, driven by playwright-core) and prints what
// tests/html.rs asserts, as one JSON object: console errors, page errors, requests other than the
// report itself, the findings table's row counts before and after filtering, and where the
// screenshot was written.
//
// Usage: node check-report.cjs REPORT.html SCREENSHOT.png [CHROMIUM]
"use strict";
const path = require("path");
const { chromium } = require("playwright-core");

async function main() {
  const [report, screenshot, executable] = process.argv.slice(2);
  const url = "file://" + path.resolve(report);
  const browser = await chromium.launch({
    executablePath: executable || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu"],
  });
  const out = { console: [], pageErrors: [], requests: [] };
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") {
        out.console.push(m.type() + ": " + m.text());
      }
    });
    page.on("pageerror", (e) => out.pageErrors.push(String(e)));
    page.on("request", (r) => {
      if (r.url() !== url) {
        out.requests.push(r.url());
      }
    });
    await page.goto(url, { waitUntil: "load" });
    const visible = () => page.locator("#findings tbody tr:visible").count();
    out.rows = await page.locator("#findings tbody tr").count();
    out.visibleBefore = await visible();
    out.filtersShown = await page.locator("#filters").isVisible();
    // Filter by each standing, then by each rule: the visible rows must follow the filter.
    out.byStanding = {};
    for (const value of await page.locator("select[name=standing] option").evaluateAll((os) => os.map((o) => o.value).filter((v) => v))) {
      await page.selectOption("select[name=standing]", value);
      out.byStanding[value] = await visible();
    }
    await page.selectOption("select[name=standing]", "");
    out.byRule = {};
    for (const value of await page.locator("select[name=rule] option").evaluateAll((os) => os.map((o) => o.value).filter((v) => v))) {
      await page.selectOption("select[name=rule]", value);
      out.byRule[value] = await visible();
    }
    await page.selectOption("select[name=rule]", "");
    out.visibleAfterReset = await visible();
    out.shownText = await page.locator("#shown").textContent();
    // Sorting by rule puts the rows in order of their rule cell.
    await page.locator("#findings th button", { hasText: "Rule" }).click();
    const rules = await page.locator("#findings tbody tr td:nth-child(4)").allTextContents();
    out.sortedByRule = rules.every((r, i) => i === 0 || rules[i - 1].localeCompare(r, undefined, { numeric: true }) <= 0);
    // Sorting by severity puts the rows in order of rank (error, warning, info), then back.
    const severities = () => page.locator("#findings tbody tr td:nth-child(1)").allTextContents();
    await page.locator("#findings th button", { hasText: "Severity" }).click();
    out.bySeverity = await severities();
    await page.locator("#findings th button", { hasText: "Severity" }).click();
    out.bySeverityDescending = await severities();
    await page.screenshot({ path: screenshot, fullPage: true });
    out.screenshot = screenshot;
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(out) + "\n");
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e) + "\n");
  process.exit(1);
});

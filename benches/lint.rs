//! Lint speed on a generated organisation: 10,000 roles and 100,000 staff (`cargo bench --bench lint`).
//!
//! Roles form chains of ten under 1,000 top roles; every staff member holds one role and then a
//! promotion, with the qualification the role requires. Not run in CI.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fmt::Write as _;

// The same allocator as the `precept` binary.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::time::Instant;

fn main() {
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return;
    }
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-org");
    std::fs::create_dir_all(&dir).unwrap();
    let (roles, staff) = (10_000usize, 100_000usize);
    let mut text = String::from("[actions]\nrefund = { limit = \"money\", currency = \"GBP\" }\ncallback = { limit = \"none\" }\n\n[qualifications]\ncert = { title = \"Certificate\" }\n\n");
    for i in 0..roles {
        let level = i % 10;
        write!(text, "[[role]]\nid = \"r{i}\"\ntitle = \"Role {i}\"\n").unwrap();
        if level == 9 {
            text.push_str("top = true\n");
        } else {
            writeln!(text, "escalates_to = \"r{}\"", i + 1).unwrap();
        }
        if level == 0 {
            text.push_str("requires = [\"cert\"]\n");
        }
        writeln!(text, "[role.may]\nrefund = \"{}.00 GBP\"\ncallback = true\n", 10 * (level + 1)).unwrap();
    }
    std::fs::write(dir.join("roles.toml"), &text).unwrap();
    let mut text = String::new();
    for s in 0..staff {
        let r = (s * 10) % roles;
        write!(
            text,
            "[[staff]]\nid = \"s{s}\"\nname = \"Staff {s}\"\nemployed = {{ from = 2020-01-01 }}\nroles = [ {{ role = \"r{r}\", from = 2020-01-01, until = 2022-12-31 }}, {{ role = \"r{}\", from = 2023-01-01 }} ]\nqualifications = [ {{ id = \"cert\", issued = 2019-06-01 }} ]\n\n",
            r + 1
        )
        .unwrap();
    }
    std::fs::write(dir.join("staff.toml"), &text).unwrap();
    // The generated staff file (about 30 MB) is larger than a role file may be by default.
    precept::input::set_limit(precept::input::Kind::Role, 1 << 30);
    let start = Instant::now();
    let (org, files, input) = precept::workspace::load_org(std::slice::from_ref(&dir));
    let read = start.elapsed();
    let problems = precept::roles::lint::lint(&org, jiff::civil::date(2026, 11, 22));
    let total = start.elapsed();
    assert!(input.is_empty(), "{:?}", input.first());
    println!(
        "{} roles, {} staff in {files} files: read {:.3} s, lint {:.3} s, total {:.3} s; {} problems (unheld roles expected: {})",
        org.roles.len(),
        org.staff.len(),
        read.as_secs_f64(),
        (total - read).as_secs_f64(),
        total.as_secs_f64(),
        problems.len(),
        problems.iter().filter(|d| d.code == "precept::role::unheld-role").count()
    );
}

//! The escalation ladder: who is above whom, answered in constant time and linear space.
//!
//! Each role has at most one senior, so the roles form a graph in which every walk upwards either
//! stops at a role with no senior or runs into a cycle. Keeping every role's list of seniors (as
//! this once did) costs the square of a chain's length in memory and time: a 20,000-role chain
//! never finished. Instead the ladder keeps the senior links off cycles as a forest (each cycle's
//! roles are roots of it), numbers that forest in one iterative depth-first walk (so a chain of any
//! length needs no stack), and answers "is `s` above `j`" by interval containment, or by both
//! being on the same cycle.

/// The escalation graph of a set of roles, by index.
#[derive(Debug, Default)]
pub(crate) struct Ladder {
    senior: Vec<Option<usize>>,
    /// The role a walk up from a role ends at or enters a cycle by: the root of its tree.
    root: Vec<usize>,
    /// For a role on a cycle, the cycle's number.
    cycle: Vec<Option<usize>>,
    /// Pre-order number in the forest, and one past the last number of the role's subtree.
    enter: Vec<usize>,
    leave: Vec<usize>,
}

impl Ladder {
    /// The ladder of roles whose seniors are `senior` (an index out of range is no senior).
    pub(crate) fn new(senior: Vec<Option<usize>>) -> Ladder {
        let n = senior.len();
        let senior: Vec<Option<usize>> = senior.into_iter().map(|s| s.filter(|&s| s < n)).collect();
        // Cycles, in one walk: 0 not seen, 1 on the current walk, 2 done.
        let mut state = vec![0u8; n];
        let mut cycle = vec![None; n];
        let mut cycles = 0usize;
        let mut walk = Vec::new();
        for start in 0..n {
            walk.clear();
            let mut cur = Some(start);
            while let Some(i) = cur {
                match state.get(i).copied() {
                    Some(0) => {
                        state[i] = 1;
                        walk.push(i);
                        cur = senior[i];
                    }
                    Some(1) => {
                        let from = walk.iter().rposition(|&w| w == i).unwrap_or(0);
                        for &m in walk.get(from..).unwrap_or(&[]) {
                            cycle[m] = Some(cycles);
                        }
                        cycles += 1;
                        break;
                    }
                    _ => break,
                }
            }
            for &w in &walk {
                state[w] = 2;
            }
        }
        // The forest: senior links of roles off cycles, as child lists (counting sort by parent).
        let parent = |i: usize| if cycle[i].is_some() { None } else { senior[i] };
        let mut first = vec![0usize; n + 1];
        for i in 0..n {
            if let Some(p) = parent(i) {
                first[p + 1] += 1;
            }
        }
        for i in 0..n {
            first[i + 1] += first[i];
        }
        let mut fill = first.clone();
        let mut children = vec![0usize; first[n]];
        for i in 0..n {
            if let Some(p) = parent(i) {
                children[fill[p]] = i;
                fill[p] += 1;
            }
        }
        let (mut enter, mut leave, mut root) = (vec![0; n], vec![0; n], vec![0; n]);
        let mut clock = 0usize;
        // (role, next child to visit)
        let mut stack: Vec<(usize, usize)> = Vec::new();
        for r in (0..n).filter(|&r| parent(r).is_none()) {
            enter[r] = clock;
            root[r] = r;
            clock += 1;
            stack.push((r, first[r]));
            while let Some(top) = stack.last_mut() {
                let (v, next) = *top;
                if next < first[v + 1] {
                    top.1 += 1;
                    let c = children[next];
                    enter[c] = clock;
                    root[c] = r;
                    clock += 1;
                    stack.push((c, first[c]));
                } else {
                    leave[v] = clock;
                    stack.pop();
                }
            }
        }
        Ladder { senior, root, cycle, enter, leave }
    }

    /// Whether `s` is on the escalation path up from `j` (never `j` itself).
    pub(crate) fn above(&self, s: usize, j: usize) -> bool {
        let (Some(&es), Some(&ej), Some(&ls), Some(&lj)) =
            (self.enter.get(s), self.enter.get(j), self.leave.get(s), self.leave.get(j))
        else {
            return false;
        };
        if s == j {
            return false;
        }
        let ancestor = es < ej && lj <= ls;
        let same_cycle = self.cycle[s].is_some() && self.cycle[s] == self.root.get(j).and_then(|&r| self.cycle[r]);
        ancestor || same_cycle
    }

    /// The roles above `j`, nearest first, each once: a cycle ends the path where it would repeat.
    pub(crate) fn path(&self, j: usize) -> impl Iterator<Item = usize> + '_ {
        // A walk that enters a cycle stops when it comes back to where it entered.
        let entry = self.root.get(j).copied().filter(|&r| self.cycle.get(r).is_some_and(Option::is_some));
        let mut cur = self.senior.get(j).copied().flatten();
        let mut entered = false;
        std::iter::from_fn(move || {
            let s = cur?;
            if s == j || (Some(s) == entry && entered) {
                cur = None;
                return None;
            }
            entered |= Some(s) == entry;
            cur = self.senior.get(s).copied().flatten();
            Some(s)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The seniors of `j` as the quadratic walk found them: up until a role would repeat.
    fn naive(senior: &[Option<usize>], j: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let mut cur = senior[j];
        while let Some(s) = cur {
            if s == j || out.contains(&s) {
                break;
            }
            out.push(s);
            cur = senior[s];
        }
        out
    }

    #[test]
    fn agrees_with_the_naive_walk_on_many_shapes() {
        let mut rng = fastrand::Rng::with_seed(10);
        for shape in 0..400 {
            let n = 1 + shape % 23;
            let senior: Vec<Option<usize>> =
                (0..n).map(|_| if rng.u8(..4) == 0 { None } else { Some(rng.usize(..n + 1)) }).collect();
            let ladder = Ladder::new(senior.clone());
            let clean: Vec<Option<usize>> = senior.iter().map(|s| s.filter(|&s| s < n)).collect();
            for j in 0..n {
                let want = naive(&clean, j);
                assert_eq!(ladder.path(j).collect::<Vec<_>>(), want, "{clean:?} from {j}");
                for s in 0..n {
                    assert_eq!(ladder.above(s, j), want.contains(&s), "{clean:?}: {s} above {j}");
                }
            }
        }
    }

    #[test]
    fn a_chain_of_200_000_needs_no_stack() {
        let n = 200_000;
        let ladder = Ladder::new((0..n).map(|i| (i + 1 < n).then_some(i + 1)).collect());
        assert!(ladder.above(n - 1, 0) && !ladder.above(0, n - 1));
        assert_eq!(ladder.path(0).count(), n - 1);
        // A chain that closes into one long circle.
        let ladder = Ladder::new((0..n).map(|i| Some((i + 1) % n)).collect());
        assert!(ladder.above(0, n - 1) && ladder.above(n - 1, 0) && !ladder.above(5, 5));
        assert_eq!(ladder.path(7).count(), n - 1);
    }
}

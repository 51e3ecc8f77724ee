//! The arc-hybrid transition system (Kuhlmann et al. 2011) with the root at the bottom of the
//! stack, and its dynamic oracle (Goldberg & Nivre 2013).
//!
//! Actions: `SHIFT` pushes the buffer front; `LEFT(l)` makes the buffer front the head of the
//! stack top and pops it; `RIGHT(l)` makes the second stack item the head of the top and pops
//! it. Attaching to the root is allowed only as the very last action, so every sentence
//! gets exactly one root and every word exactly one head: the output is always a tree.

pub const NONE: usize = usize::MAX;
pub const SHIFT: usize = 0;

pub fn left(label: usize) -> usize {
    1 + 2 * label
}

pub fn right(label: usize) -> usize {
    2 + 2 * label
}

pub fn num_actions(labels: usize) -> usize {
    1 + 2 * labels
}

/// A parser configuration over words `1..=n`; `0` is the root.
#[derive(Clone, Debug)]
pub struct Configuration {
    pub n: usize,
    pub stack: Vec<usize>,
    /// Buffer front; the buffer is `next..=n` and empty when `next > n`.
    pub next: usize,
    pub heads: Vec<usize>,
    pub labels: Vec<usize>,
    /// The two leftmost (`[0]` outermost) and two rightmost children of each token.
    pub lefts: Vec<[usize; 2]>,
    pub rights: Vec<[usize; 2]>,
    pub num_left: Vec<u32>,
    pub num_right: Vec<u32>,
    /// Bit sets of the labels on each token's left and right children.
    pub left_labels: Vec<u64>,
    pub right_labels: Vec<u64>,
}

impl Configuration {
    pub fn new(n: usize) -> Self {
        Configuration {
            n,
            stack: vec![0],
            next: 1,
            heads: vec![NONE; n + 1],
            labels: vec![NONE; n + 1],
            lefts: vec![[NONE; 2]; n + 1],
            rights: vec![[NONE; 2]; n + 1],
            num_left: vec![0; n + 1],
            num_right: vec![0; n + 1],
            left_labels: vec![0; n + 1],
            right_labels: vec![0; n + 1],
        }
    }

    pub fn is_terminal(&self) -> bool {
        self.next > self.n && self.stack.len() <= 1
    }

    pub fn s(&self, i: usize) -> usize {
        if i < self.stack.len() { self.stack[self.stack.len() - 1 - i] } else { NONE }
    }

    pub fn b(&self, i: usize) -> usize {
        if self.next + i <= self.n { self.next + i } else { NONE }
    }

    pub fn can_shift(&self) -> bool {
        self.next <= self.n
    }

    pub fn can_left(&self) -> bool {
        self.stack.len() >= 2 && self.next <= self.n
    }

    pub fn can_right(&self) -> bool {
        self.stack.len() >= 3 || (self.stack.len() == 2 && self.next > self.n)
    }

    pub fn is_valid(&self, action: usize) -> bool {
        match action {
            SHIFT => self.can_shift(),
            a if a % 2 == 1 => self.can_left(),
            _ => self.can_right(),
        }
    }

    pub fn apply(&mut self, action: usize) {
        debug_assert!(self.is_valid(action));
        match action {
            SHIFT => {
                self.stack.push(self.next);
                self.next += 1;
            }
            a => {
                let dependent = self.stack.pop().expect("valid action");
                let head = if a % 2 == 1 { self.next } else { *self.stack.last().expect("valid action") };
                self.attach(head, dependent, (a - 1) / 2);
            }
        }
    }

    fn attach(&mut self, head: usize, dependent: usize, label: usize) {
        self.heads[dependent] = head;
        self.labels[dependent] = label;
        let bit = 1u64 << (label % 64);
        if dependent < head {
            self.num_left[head] += 1;
            self.left_labels[head] |= bit;
            insert_outermost(&mut self.lefts[head], dependent, |a, b| a < b);
        } else {
            self.num_right[head] += 1;
            self.right_labels[head] |= bit;
            insert_outermost(&mut self.rights[head], dependent, |a, b| a > b);
        }
    }

    /// Unlabeled costs (gold arcs made unreachable) of SHIFT, LEFT and RIGHT.
    pub fn costs(&self, gold_heads: &[usize]) -> [usize; 3] {
        let buffer = self.next..=self.n;
        let deps_in_buffer = |h: usize| buffer.clone().filter(|&d| gold_heads[d] == h).count();
        let s0 = self.s(0);
        let s1 = self.s(1);
        let shift = if self.can_shift() {
            let b = self.next;
            let last = self.stack.len() - 1;
            self.stack
                .iter()
                .enumerate()
                .map(|(i, &k)| (i != last && gold_heads[b] == k) as usize + (k != 0 && gold_heads[k] == b) as usize)
                .sum()
        } else {
            NONE
        };
        let left = if self.can_left() {
            let h = gold_heads[s0];
            let lost_head = h != self.next && (h == s1 || (h > self.next && h <= self.n));
            lost_head as usize + deps_in_buffer(s0)
        } else {
            NONE
        };
        let right = if self.can_right() {
            let h = gold_heads[s0];
            let lost_head = h != s1 && h >= self.next && h <= self.n;
            lost_head as usize + deps_in_buffer(s0)
        } else {
            NONE
        };
        [shift, left, right]
    }

    /// Labeled cost of one action: unlabeled cost plus one for a gold arc with a wrong label.
    pub fn action_cost(
        &self,
        action: usize,
        unlabeled: &[usize; 3],
        gold_heads: &[usize],
        gold_labels: &[usize],
    ) -> usize {
        match action {
            SHIFT => unlabeled[0],
            a => {
                let (kind, head) = if a % 2 == 1 { (1, self.next) } else { (2, self.s(1)) };
                let c = unlabeled[kind];
                if c == NONE {
                    return NONE;
                }
                let s0 = self.s(0);
                c + (gold_heads[s0] == head && gold_labels[s0] != (a - 1) / 2) as usize
            }
        }
    }
}

fn insert_outermost(slot: &mut [usize; 2], d: usize, outer: impl Fn(usize, usize) -> bool) {
    if slot[0] == NONE || outer(d, slot[0]) {
        slot[1] = slot[0];
        slot[0] = d;
    } else if slot[1] == NONE || outer(d, slot[1]) {
        slot[1] = d;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Following the zero-cost action at each step rebuilds any projective tree.
    #[test]
    fn dynamic_oracle_reaches_projective_gold_trees() {
        // "the person takes a knife out of the drawer" (heads 1-based, 0 root)
        let heads = [NONE, 2, 3, 0, 5, 3, 9, 9, 9, 3];
        let labels = [NONE, 0, 1, 2, 0, 3, 4, 4, 0, 5];
        let mut st = Configuration::new(9);
        while !st.is_terminal() {
            let costs = st.costs(&heads);
            let action = (0..num_actions(6))
                .find(|&a| st.is_valid(a) && st.action_cost(a, &costs, &heads, &labels) == 0)
                .expect("a zero-cost action exists for a projective tree");
            st.apply(action);
        }
        assert_eq!(&st.heads[1..], &heads[1..]);
        assert_eq!(&st.labels[1..], &labels[1..]);
        assert_eq!(st.lefts[3], [2, NONE]);
        assert_eq!(st.rights[3], [9, 5]);
    }

    #[test]
    fn costs_count_lost_arcs() {
        // 1 <- 2 -> 3, root -> 2
        let heads = [NONE, 2, 0, 2];
        let mut st = Configuration::new(3);
        st.apply(SHIFT); // stack [0, 1]
        // RIGHT would make root the head of 1, but it is not final: invalid.
        assert!(!st.can_right());
        // SHIFT loses both 1 <- 2 (2 would sit above 1) and root -> 2 (1 would sit between).
        assert_eq!(st.costs(&heads), [2, 0, NONE]);
    }
}

//! A post-parse repair for phrasal verbs: a greedy parser trained on web text often reads the
//! particle of "gets out two glasses" as a preposition (`out` → case of `glasses`, `glasses`
//! → obl). UD's guidelines (and CoreNLP, whose parses CMIN was trained on) make it
//! `compound:prt` of the verb with the noun as its object. The repair fires only when the
//! particle directly follows its verb and opens the noun phrase, and no second preposition
//! follows it (`out of the drawer` stays as it is).

const PARTICLES: [&str; 6] = ["out", "up", "down", "off", "away", "back"];
const NOMINAL_MODIFIERS: [&str; 6] = ["det", "amod", "nummod", "compound", "nmod:poss", "det:predet"];

/// Rewrites `heads` (1-based, 0 = root) and `deprels` of one sentence in place.
pub fn phrasal_particles(forms: &[String], upos: &[String], heads: &mut [usize], deprels: &mut [String]) {
    let n = forms.len();
    for t in 1..n {
        let noun = match heads[t] {
            0 => continue,
            h => h - 1,
        };
        let verb = t - 1;
        let is_case = deprels[t] == "case";
        let particle = PARTICLES.contains(&forms[t].to_lowercase().as_str());
        if !(is_case && particle && noun > t && upos[verb] == "VERB") {
            continue;
        }
        let oblique_of_verb = heads[noun] == verb + 1 && deprels[noun].split(':').next() == Some("obl");
        let next_is_preposition = upos.get(t + 1).is_some_and(|p| p == "ADP");
        // Everything between the particle and the noun must be the noun's own modifiers.
        let simple_phrase =
            (t + 1..noun).all(|k| heads[k] == noun + 1 && NOMINAL_MODIFIERS.contains(&deprels[k].as_str()));
        if oblique_of_verb && !next_is_preposition && simple_phrase {
            heads[t] = verb + 1;
            deprels[t] = "compound:prt".into();
            deprels[noun] = "obj".into();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn particle_becomes_compound_prt() {
        let forms = strings(&["The", "person", "gets", "out", "two", "glasses"]);
        let upos = strings(&["DET", "NOUN", "VERB", "ADP", "NUM", "NOUN"]);
        let mut heads = vec![2, 3, 0, 6, 6, 3];
        let mut deprels = strings(&["det", "nsubj", "root", "case", "nummod", "obl"]);
        phrasal_particles(&forms, &upos, &mut heads, &mut deprels);
        assert_eq!(heads, [2, 3, 0, 3, 6, 3]);
        assert_eq!(deprels, strings(&["det", "nsubj", "root", "compound:prt", "nummod", "obj"]));
    }

    #[test]
    fn prepositional_phrases_stay() {
        // "takes it out of the drawer": `out` is followed by another preposition.
        let forms = strings(&["takes", "out", "of", "the", "drawer"]);
        let upos = strings(&["VERB", "ADP", "ADP", "DET", "NOUN"]);
        let mut heads = vec![0, 5, 5, 5, 1];
        let mut deprels = strings(&["root", "case", "case", "det", "obl"]);
        let before = (heads.clone(), deprels.clone());
        phrasal_particles(&forms, &upos, &mut heads, &mut deprels);
        assert_eq!((heads, deprels), before);
        // "walks in the kitchen" with `in` not right after... a noun head: unchanged.
        let forms = strings(&["person", "in", "the", "kitchen"]);
        let upos = strings(&["NOUN", "ADP", "DET", "NOUN"]);
        let mut heads = vec![0, 4, 4, 1];
        let mut deprels = strings(&["root", "case", "det", "nmod"]);
        phrasal_particles(&forms, &upos, &mut heads, &mut deprels);
        assert_eq!(heads, [0, 4, 4, 1]);
    }
}

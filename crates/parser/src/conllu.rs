//! CoNLL-U reading and writing (basic trees only: multiword-token ranges and empty nodes are
//! skipped, as the CoNLL 2018 evaluation does for syntactic words).

use crate::error::{ParserError, Result};

/// One sentence of syntactic words. `heads[i]` is 0 for the root or the 1-based head index.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sentence {
    pub forms: Vec<String>,
    pub upos: Vec<String>,
    pub xpos: Vec<String>,
    pub heads: Vec<usize>,
    pub deprels: Vec<String>,
}

impl Sentence {
    pub fn len(&self) -> usize {
        self.forms.len()
    }

    pub fn is_empty(&self) -> bool {
        self.forms.is_empty()
    }
}

/// Parses CoNLL-U text. Errors name the line.
pub fn parse(text: &str) -> Result<Vec<Sentence>> {
    let mut sentences = Vec::new();
    let mut current = Sentence::default();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            if !current.is_empty() {
                validate(&current, number + 1)?;
                sentences.push(std::mem::take(&mut current));
            }
            continue;
        }
        if line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() != 10 {
            return Err(ParserError::Conllu {
                line: number + 1,
                message: format!("{} columns, expected 10", cols.len()),
            });
        }
        if cols[0].contains('-') || cols[0].contains('.') {
            continue; // multiword-token range or empty node
        }
        let id: usize = cols[0]
            .parse()
            .map_err(|_| ParserError::Conllu { line: number + 1, message: format!("bad id {:?}", cols[0]) })?;
        if id != current.len() + 1 {
            return Err(ParserError::Conllu { line: number + 1, message: format!("id {id} out of sequence") });
        }
        let head: usize = cols[6]
            .parse()
            .map_err(|_| ParserError::Conllu { line: number + 1, message: format!("bad head {:?}", cols[6]) })?;
        current.forms.push(cols[1].to_string());
        current.upos.push(cols[3].to_string());
        current.xpos.push(cols[4].to_string());
        current.heads.push(head);
        current.deprels.push(cols[7].to_string());
    }
    if !current.is_empty() {
        validate(&current, text.lines().count())?;
        sentences.push(current);
    }
    Ok(sentences)
}

fn validate(s: &Sentence, line: usize) -> Result<()> {
    if let Some(&h) = s.heads.iter().find(|&&h| h > s.len()) {
        return Err(ParserError::Conllu { line, message: format!("head {h} beyond the sentence's {} words", s.len()) });
    }
    Ok(())
}

/// Writes sentences as CoNLL-U (forms, UPOS, heads and labels; other columns `_`).
pub fn write(sentences: &[Sentence]) -> String {
    let mut out = String::new();
    for s in sentences {
        for i in 0..s.len() {
            let xpos = s.xpos.get(i).map(String::as_str).unwrap_or("_");
            out.push_str(&format!(
                "{}\t{}\t_\t{}\t{}\t_\t{}\t{}\t_\t_\n",
                i + 1,
                s.forms[i],
                s.upos[i],
                xpos,
                s.heads[i],
                s.deprels[i]
            ));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_words_and_skips_ranges() {
        let text = "# text = I don't.\n1\tI\tI\tPRON\tPRP\t_\t3\tnsubj\t_\t_\n2-3\tdon't\t_\t_\t_\t_\t_\t_\t_\t_\n2\tdo\tdo\tAUX\tVBP\t_\t3\taux\t_\t_\n3\tn't\tnot\tPART\tRB\t_\t0\troot\t_\t_\n4\t.\t.\tPUNCT\t.\t_\t3\tpunct\t_\t_\n\n";
        let s = parse(text).unwrap();
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].forms, ["I", "do", "n't", "."]);
        assert_eq!(s[0].heads, [3, 3, 0, 3]);
        assert_eq!(parse(&write(&s)).unwrap()[0].deprels, s[0].deprels);
    }

    #[test]
    fn malformed_lines_name_the_line() {
        let err = parse("1\tI\tI\tPRON\n").unwrap_err();
        assert!(err.to_string().contains("line 1"), "{err}");
        let err = parse("1\tI\tI\tPRON\tPRP\t_\t9\tnsubj\t_\t_\n\n").unwrap_err();
        assert!(err.to_string().contains("head 9"), "{err}");
    }
}

//! Penn-Treebank-style tokenisation of English queries, with byte offsets into the input.
//!
//! Words keep internal hyphens, slashes and decimal points (`length-wise`, `1/2`, `3.5`), as
//! CoreNLP and UD do; clitics split off (`do n't`, `he 's`, `ca n't`, `gon na`); punctuation
//! and symbols (emoji included) become tokens of their own, a run of one character (`--`,
//! `...`, `!!`) staying one token.

use std::ops::Range;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub text: String,
    /// Byte offsets into the input: `&input[start..end]` is where the token came from.
    pub start: usize,
    pub end: usize,
}

const ABBREVIATIONS: [&str; 24] = [
    "mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "vs", "etc", "inc", "ltd", "co", "corp", "approx", "dept",
    "fig", "mt", "ft", "oz", "lb", "lbs", "tbsp", "tsp",
];

/// Characters that extend the previous character into one grapheme: combining marks,
/// zero-width joiner, variation selectors, emoji skin-tone modifiers.
fn is_continuation(c: char) -> bool {
    matches!(c as u32,
        0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F
        | 0x200D | 0xFE00..=0xFE0F | 0x1F3FB..=0x1F3FF | 0xE0020..=0xE007F)
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || is_continuation(c)
}

fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '\u{2019}'
}

fn is_separator(c: char) -> bool {
    c.is_whitespace() || c.is_control() || c == '\u{200B}' || c == '\u{FEFF}'
}

/// Whether `chars[j]` may join the word being built: it sits between word characters and,
/// for `,` and `:`, between digits (`1,000`, `10:30`).
fn joins(chars: &[(usize, char)], j: usize) -> bool {
    let c = chars[j].1;
    let (Some(&(_, prev)), Some(&(_, next))) = (chars.get(j.wrapping_sub(1)), chars.get(j + 1)) else {
        return false;
    };
    if j == 0 || !is_word_char(prev) || !is_word_char(next) {
        return false;
    }
    match c {
        '-' | '/' | '&' | '_' | '.' | '+' => true,
        ',' | ':' => prev.is_ascii_digit() && next.is_ascii_digit(),
        _ if is_apostrophe(c) => next.is_alphabetic(),
        _ => false,
    }
}

/// Splits text into tokens. Never fails: any input gives a (possibly empty) token list.
pub fn tokenize(text: &str) -> Vec<Token> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let end_of = |k: usize| chars.get(k).map_or(text.len(), |&(b, _)| b);
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i].1;
        if is_separator(c) {
            i += 1;
            continue;
        }
        let start = chars[i].0;
        if is_url_start(&text[start..]) {
            let mut j = i;
            while j < chars.len() && !is_separator(chars[j].1) {
                j += 1;
            }
            // Trailing sentence punctuation is not part of a URL.
            while j > i + 1 && matches!(chars[j - 1].1, '.' | ',' | ';' | ':' | '!' | '?' | ')' | '"' | '\'') {
                j -= 1;
            }
            tokens.push(Token { text: text[start..end_of(j)].to_string(), start, end: end_of(j) });
            i = j;
        } else if is_word_char(c) && !is_continuation(c) {
            let mut j = i + 1;
            while j < chars.len() && (is_word_char(chars[j].1) || joins(&chars, j)) {
                j += 1;
            }
            let word = &text[start..end_of(j)];
            if j < chars.len() && chars[j].1 == '.' && is_abbreviation(word) {
                j += 1;
            }
            push_word(text, start, end_of(j), &mut tokens);
            i = j;
        } else if is_continuation(c) {
            // A stray mark or joiner glues onto the token just before it when adjacent.
            let end = end_of(i + 1);
            match tokens.last_mut() {
                Some(last) if last.end == start => {
                    last.end = end;
                    last.text = text[last.start..end].to_string();
                }
                _ => tokens.push(Token { text: text[start..end].to_string(), start, end }),
            }
            i += 1;
        } else {
            let mut j = i + 1;
            if matches!(c, '.' | '-' | '!' | '?' | '*' | '=' | '~' | '_' | '#' | '\u{2014}' | '\u{2013}') {
                while j < chars.len() && chars[j].1 == c {
                    j += 1;
                }
            }
            // An emoji with its modifiers and joined parts stays one token.
            while j < chars.len() && is_continuation(chars[j].1) {
                j += 1;
                if chars[j - 1].1 == '\u{200D}' && j < chars.len() && !is_separator(chars[j].1) {
                    j += 1;
                }
            }
            tokens.push(Token { text: text[start..end_of(j)].to_string(), start, end: end_of(j) });
            i = j;
        }
    }
    tokens
}

fn is_url_start(s: &str) -> bool {
    let lower = s.get(..8).unwrap_or(s).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("www.")
}

fn is_abbreviation(word: &str) -> bool {
    let lower = word.to_lowercase();
    // `e.g`, `U.S`, `a.m`: letters separated by dots.
    let dotted = lower.contains('.') && lower.split('.').all(|p| p.chars().count() == 1);
    dotted || ABBREVIATIONS.contains(&lower.as_str())
}

/// Splits English clitics off a word: `don't` → `do n't`, `he's` → `he 's`, `cannot` →
/// `can not`, `gonna` → `gon na` (the Penn Treebank and UD English conventions).
fn push_word(text: &str, start: usize, end: usize, tokens: &mut Vec<Token>) {
    let word = &text[start..end];
    let lower = word.to_lowercase();
    // Only when lower-casing kept byte lengths can a suffix length in `lower` cut `word`.
    let cut = if lower.len() == word.len() { clitic_cut(&lower) } else { None };
    match cut {
        Some(suffix_len) if text.is_char_boundary(end - suffix_len) => {
            let mid = end - suffix_len;
            tokens.push(Token { text: text[start..mid].to_string(), start, end: mid });
            tokens.push(Token { text: text[mid..end].to_string(), start: mid, end });
        }
        _ => tokens.push(Token { text: word.to_string(), start, end }),
    }
}

/// Byte length of the clitic at the end of a lower-cased word, if it has one.
fn clitic_cut(lower: &str) -> Option<usize> {
    const SUFFIXES: [&str; 7] = ["n't", "'s", "'re", "'ve", "'ll", "'d", "'m"];
    const SPLITS: [(&str, usize); 4] = [("cannot", 3), ("gonna", 2), ("wanna", 2), ("gotta", 2)];
    for apostrophe in ["'", "\u{2019}"] {
        for s in SUFFIXES {
            let suffix = s.replace('\'', apostrophe);
            if lower.len() > suffix.len() && lower.ends_with(&suffix) {
                return Some(suffix.len());
            }
        }
    }
    SPLITS.iter().find(|(w, _)| *w == lower).map(|&(_, n)| n)
}

fn is_sentence_final(token: &str) -> bool {
    !token.is_empty() && token.chars().all(|c| matches!(c, '.' | '!' | '?' | '\u{2026}'))
}

fn is_closing(token: &str) -> bool {
    matches!(token, "\"" | "'" | "\u{201D}" | "\u{2019}" | ")" | "]" | "}" | "\u{00BB}")
}

/// Sentence spans over a token list: a sentence ends after `.`, `!`, `?` or `…` (and any
/// closing quotes or brackets right after it).
pub fn split_sentences(tokens: &[Token]) -> Vec<Range<usize>> {
    let mut spans = Vec::new();
    let mut begin = 0;
    let mut i = 0;
    while i < tokens.len() {
        if is_sentence_final(&tokens[i].text) {
            let mut end = i + 1;
            while end < tokens.len() && is_closing(&tokens[end].text) {
                end += 1;
            }
            spans.push(begin..end);
            begin = end;
            i = end;
        } else {
            i += 1;
        }
    }
    if begin < tokens.len() {
        spans.push(begin..tokens.len());
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        tokenize(text).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn penn_treebank_splitting() {
        assert_eq!(words("He took out a glass."), ["He", "took", "out", "a", "glass", "."]);
        assert_eq!(words("I don't know, can't you?"), ["I", "do", "n't", "know", ",", "ca", "n't", "you", "?"]);
        assert_eq!(words("the mango's outside"), ["the", "mango", "'s", "outside"]);
        assert_eq!(words("they're gonna cut it"), ["they", "'re", "gon", "na", "cut", "it"]);
        assert_eq!(words("I cannot"), ["I", "can", "not"]);
        assert_eq!(words("cut it length-wise -- slowly"), ["cut", "it", "length-wise", "--", "slowly"]);
        assert_eq!(
            words("add 1/2 cup, 3.5 g and 1,000 more at 10:30..."),
            ["add", "1/2", "cup", ",", "3.5", "g", "and", "1,000", "more", "at", "10:30", "..."]
        );
        assert_eq!(words("\"Stop!\" he said (loudly)"), ["\"", "Stop", "!", "\"", "he", "said", "(", "loudly", ")"]);
        assert_eq!(words("Mr. Smith lives in the U.S. now"), ["Mr.", "Smith", "lives", "in", "the", "U.S.", "now"]);
        assert_eq!(words("It\u{2019}s \u{201C}fine\u{201D}"), ["It", "\u{2019}s", "\u{201C}", "fine", "\u{201D}"]);
        assert_eq!(words("see https://example.com/a?b=1."), ["see", "https://example.com/a?b=1", "."]);
        assert_eq!(words("$5 or 5%"), ["$", "5", "or", "5", "%"]);
    }

    #[test]
    fn offsets_point_into_the_input() {
        let text = "  Don\u{2019}t  cut 👍🏽 the caf\u{e9}! ";
        for t in tokenize(text) {
            assert_eq!(&text[t.start..t.end], t.text);
        }
        assert_eq!(words(text), ["Do", "n\u{2019}t", "cut", "👍🏽", "the", "caf\u{e9}", "!"]);
    }

    #[test]
    fn emoji_sequences_and_scripts() {
        assert_eq!(words("a 👨\u{200D}👩\u{200D}👧 family"), ["a", "👨\u{200D}👩\u{200D}👧", "family"]);
        assert_eq!(words("日本語 text Ελληνικά"), ["日本語", "text", "Ελληνικά"]);
        assert_eq!(words("a\u{0007}b\u{0000}c"), ["a", "b", "c"]);
        assert!(words("").is_empty());
        assert!(words(" \t\n ").is_empty());
    }

    #[test]
    fn sentences() {
        let t = tokenize("He cuts it. She eats it!\" Then? no");
        let spans = split_sentences(&t);
        let texts: Vec<Vec<&str>> =
            spans.iter().map(|r| t[r.clone()].iter().map(|x| x.text.as_str()).collect()).collect();
        assert_eq!(
            texts,
            vec![vec!["He", "cuts", "it", "."], vec!["She", "eats", "it", "!", "\""], vec!["Then", "?"], vec!["no"]]
        );
        assert!(split_sentences(&[]).is_empty());
    }
}

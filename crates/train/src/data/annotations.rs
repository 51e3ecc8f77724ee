//! Moment annotations in the formats researchers have them:
//!
//! - **reference** JSON (the authors' data, e.g. `TACOS_test_gcn.json`): a list of
//!   `[video, duration, [start, end], sentence, words, id2pos, adj]`, times in seconds, with a
//!   stored CoreNLP parse (`words` and the relation-id matrix `adj`).
//! - **2D-TAN** JSON: `{video: {duration, timestamps: [[s, e], ...], sentences: [...]}}` in
//!   seconds (ActivityNet Captions), or with `fps` and `num_frames` and timestamps in frames
//!   (TACoS).
//! - **Charades-STA** lines: `video start end##sentence`, seconds, without the video's
//!   duration (Charades keeps it in its own CSV, which nothing reads yet: evaluation and
//!   training stop with an error naming the video).
//!
//! Real files have quirks: a few reversed pairs and ends past the video's end. Reading swaps
//! the former, clamps the latter, and counts both; anything else malformed is an error naming
//! the entry.

use serde::Serialize;
use serde_json::Value;

use cmin_model::error::{CminError, Result};

/// One query with its ground-truth moment.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Sample {
    pub video: String,
    /// Seconds; `None` for Charades-STA until durations are attached.
    pub duration: Option<f64>,
    /// Ground truth in seconds, `0 <= start <= end (<= duration)`.
    pub start: f64,
    pub end: f64,
    pub sentence: String,
    /// The parse stored with the reference data, if any.
    pub parse: Option<StoredParse>,
}

/// A stored parse: lower-cased words and the row-major `[m, m]` relation-id matrix, the graph
/// the query pipeline builds from a parse.
pub type StoredParse = cmin_query::graph::SyntaxGraph;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Format {
    Reference,
    TwoDTan,
    CharadesSta,
}

impl Format {
    pub fn parse(name: &str) -> Result<Format> {
        match name {
            "reference" => Ok(Format::Reference),
            "2dtan" | "2d-tan" => Ok(Format::TwoDTan),
            "charades" | "charades-sta" => Ok(Format::CharadesSta),
            other => {
                Err(CminError::Option(format!("unknown annotation format {other:?}: reference, 2dtan or charades-sta")))
            }
        }
    }

    /// A JSON list is the reference format, a JSON object 2D-TAN's, anything else lines.
    pub fn detect(text: &str) -> Format {
        match text.trim_start().chars().next() {
            Some('[') => Format::Reference,
            Some('{') => Format::TwoDTan,
            _ => Format::CharadesSta,
        }
    }
}

/// What reading found, besides the samples.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Annotations {
    pub samples: Vec<Sample>,
    /// Pairs given as `[end, start]`, swapped.
    pub swapped: usize,
    /// Moments reaching past the video's end (by more than 1 µs), clamped to it.
    pub clamped: usize,
    /// Every video the file names with its duration, those without a sentence too (a
    /// library searched as a whole).
    pub durations: std::collections::BTreeMap<String, f64>,
}

impl Annotations {
    fn push(&mut self, mut s: Sample, at: &str) -> Result<()> {
        let bad = |m: String| CminError::malformed("annotations", format!("{at}: {m}"));
        if !s.start.is_finite() || !s.end.is_finite() {
            return Err(bad(format!("moment [{}, {}] is not finite", s.start, s.end)));
        }
        if s.start > s.end {
            std::mem::swap(&mut s.start, &mut s.end);
            self.swapped += 1;
        }
        if s.start < 0.0 {
            return Err(bad(format!("moment starts before 0 ({})", s.start)));
        }
        if let Some(d) = s.duration {
            if !(d.is_finite() && d > 0.0) {
                return Err(bad(format!("duration {d} is not a positive number of seconds")));
            }
            if s.start >= d {
                return Err(bad(format!("moment starts at {} but the video lasts {d} s", s.start)));
            }
            if s.end > d {
                // Float noise (an end written as the duration) is not worth counting.
                if s.end - d > 1e-6 {
                    self.clamped += 1;
                }
                s.end = d;
            }
        }
        if s.sentence.trim().is_empty() {
            return Err(bad("empty sentence".into()));
        }
        if let Some(d) = s.duration {
            self.durations.insert(s.video.clone(), d);
        }
        self.samples.push(s);
        Ok(())
    }
}

/// Reads annotations in a given format.
pub fn read(text: &str, format: Format) -> Result<Annotations> {
    match format {
        Format::Reference => reference(text),
        Format::TwoDTan => two_d_tan(text),
        Format::CharadesSta => charades_sta(text),
    }
}

pub fn read_file(path: &std::path::Path, format: Option<Format>) -> crate::error::Result<Annotations> {
    let text = crate::error::reading(path, std::fs::read_to_string(path))?;
    Ok(read(&text, format.unwrap_or_else(|| Format::detect(&text)))?)
}

fn json(text: &str, what: &str) -> Result<Value> {
    serde_json::from_str(text).map_err(|e| CminError::malformed(what, e))
}

fn number(v: Option<&Value>, at: &str, what: &str) -> Result<f64> {
    v.and_then(Value::as_f64)
        .ok_or_else(|| CminError::malformed("annotations", format!("{at}: {what} is not a number")))
}

fn reference(text: &str) -> Result<Annotations> {
    let Value::Array(entries) = json(text, "reference annotations")? else {
        return Err(CminError::malformed("reference annotations", "expected a JSON list"));
    };
    let mut out = Annotations::default();
    for (i, e) in entries.iter().enumerate() {
        let at = format!("entry {i}");
        let bad = |m: &str| CminError::malformed("annotations", format!("{at}: {m}"));
        let video = e.get(0).and_then(Value::as_str).ok_or_else(|| bad("video id is not a string"))?;
        let duration = number(e.get(1), &at, "duration")?;
        let moment = e
            .get(2)
            .and_then(Value::as_array)
            .filter(|m| m.len() == 2)
            .ok_or_else(|| bad("moment is not [start, end]"))?;
        let sentence = e.get(3).and_then(Value::as_str).ok_or_else(|| bad("sentence is not a string"))?;
        let words: Vec<String> = serde_json::from_value(e.get(4).cloned().unwrap_or(Value::Null))
            .map_err(|_| bad("words are not strings"))?;
        let rows: Vec<Vec<i64>> = serde_json::from_value(e.get(6).cloned().unwrap_or(Value::Null))
            .map_err(|_| bad("adj is not an integer matrix"))?;
        let m = words.len();
        if rows.len() != m || rows.iter().any(|r| r.len() != m) {
            return Err(bad(&format!("adj is not {m} x {m} for {m} words")));
        }
        let adjacency: Vec<i64> = rows.into_iter().flatten().collect();
        cmin_model::relations::validate_adjacency(&adjacency, m).map_err(|err| bad(&err.to_string()))?;
        let sample = Sample {
            video: video.to_string(),
            duration: Some(duration),
            start: number(moment.first(), &at, "start")?,
            end: number(moment.get(1), &at, "end")?,
            sentence: sentence.to_string(),
            parse: Some(StoredParse { words, adjacency }),
        };
        out.push(sample, &at)?;
    }
    Ok(out)
}

fn two_d_tan(text: &str) -> Result<Annotations> {
    let Value::Object(videos) = json(text, "2D-TAN annotations")? else {
        return Err(CminError::malformed("2D-TAN annotations", "expected a JSON object of videos"));
    };
    let mut out = Annotations::default();
    // Sorted for a stable sample order (JSON objects are unordered).
    let mut ids: Vec<&String> = videos.keys().collect();
    ids.sort();
    for id in ids {
        let v = &videos[id];
        let at = format!("video {id:?}");
        let bad = |m: &str| CminError::malformed("annotations", format!("{at}: {m}"));
        // TACoS gives frames and a frame rate; ActivityNet gives seconds.
        let (duration, scale) = match v.get("fps") {
            Some(fps) => {
                let fps = number(Some(fps), &at, "fps")?;
                if !(fps > 0.0) {
                    return Err(bad("fps must be positive"));
                }
                (number(v.get("num_frames"), &at, "num_frames")? / fps, 1.0 / fps)
            }
            None => (number(v.get("duration"), &at, "duration")?, 1.0),
        };
        let stamps = v.get("timestamps").and_then(Value::as_array).ok_or_else(|| bad("no timestamps list"))?;
        if duration.is_finite() && duration > 0.0 {
            out.durations.insert(id.clone(), duration);
        }
        let sentences = v.get("sentences").and_then(Value::as_array).ok_or_else(|| bad("no sentences list"))?;
        if stamps.len() != sentences.len() {
            return Err(bad(&format!("{} timestamps for {} sentences", stamps.len(), sentences.len())));
        }
        for (k, (t, s)) in stamps.iter().zip(sentences).enumerate() {
            let at = format!("{at}, moment {k}");
            let pair = t.as_array().filter(|p| p.len() == 2).ok_or_else(|| bad("a timestamp is not [start, end]"))?;
            let sample = Sample {
                video: id.clone(),
                duration: Some(duration),
                start: number(pair.first(), &at, "start")? * scale,
                end: number(pair.get(1), &at, "end")? * scale,
                sentence: s.as_str().ok_or_else(|| bad("a sentence is not a string"))?.trim().to_string(),
                parse: None,
            };
            out.push(sample, &at)?;
        }
    }
    Ok(out)
}

fn charades_sta(text: &str) -> Result<Annotations> {
    let mut out = Annotations::default();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let at = format!("line {}", n + 1);
        let bad = |m: &str| CminError::malformed("annotations", format!("{at}: {m}"));
        let (head, sentence) = line.split_once("##").ok_or_else(|| bad("expected `video start end##sentence`"))?;
        let parts: Vec<&str> = head.split_whitespace().collect();
        let [video, start, end] = parts[..] else {
            return Err(bad("expected `video start end` before `##`"));
        };
        let seconds = |s: &str| s.parse::<f64>().map_err(|_| bad(&format!("{s:?} is not a number")));
        let sample = Sample {
            video: video.to_string(),
            duration: None,
            start: seconds(start)?,
            end: seconds(end)?,
            sentence: sentence.trim().to_string(),
            parse: None,
        };
        out.push(sample, &at)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_format_reads_and_normalises() {
        let r = read(
            r#"[["v1", 10.0, [2.0, 4.5], "He took out a glass.", ["he", "took"], [0, 1], [[1, 0], [2, 1]]]]"#,
            Format::Reference,
        )
        .unwrap();
        assert_eq!(r.samples[0].start, 2.0);
        assert_eq!(r.samples[0].parse.as_ref().unwrap().adjacency, [1, 0, 2, 1]);

        let t = read(
            r#"{"s1": {"fps": 25.0, "num_frames": 500, "timestamps": [[50, 100], [400, 600]], "sentences": ["a", "b"]}}"#,
            Format::TwoDTan,
        )
        .unwrap();
        assert_eq!((t.samples[0].start, t.samples[0].end, t.samples[0].duration), (2.0, 4.0, Some(20.0)));
        assert_eq!((t.samples[1].end, t.clamped), (20.0, 1));

        let a =
            read(r#"{"v": {"duration": 9.0, "timestamps": [[5, 3]], "sentences": [" x "]}}"#, Format::TwoDTan).unwrap();
        assert_eq!((a.samples[0].start, a.samples[0].end, a.swapped), (3.0, 5.0, 1));
        assert_eq!(a.samples[0].sentence, "x");

        let c = read("3MSZA 24.3 30.4##person turn a light on.\n\n", Format::CharadesSta).unwrap();
        assert_eq!((c.samples[0].video.as_str(), c.samples[0].duration), ("3MSZA", None));
        assert_eq!(Format::detect(" [1]"), Format::Reference);
        assert_eq!(Format::detect("{}"), Format::TwoDTan);
        assert_eq!(Format::detect("v 1 2##x"), Format::CharadesSta);
    }

    #[test]
    fn malformed_entries_are_named() {
        let err = |text: &str, f| read(text, f).unwrap_err().to_string();
        assert!(err("v 1##x", Format::CharadesSta).contains("line 1"));
        assert!(err("v a 2##x", Format::CharadesSta).contains("\"a\" is not a number"));
        assert!(
            err(r#"{"v": {"duration": 9, "timestamps": [[1, 2]], "sentences": []}}"#, Format::TwoDTan)
                .contains("1 timestamps for 0 sentences")
        );
        assert!(
            err(r#"{"v": {"duration": 9, "timestamps": [[10, 12]], "sentences": ["x"]}}"#, Format::TwoDTan)
                .contains("lasts 9")
        );
        assert!(err(r#"[["v", 1.0, [0, 1], "s", ["a"], [0], [[1, 0]]]]"#, Format::Reference).contains("entry 0"));
        assert!(err("[1", Format::Reference).contains("malformed"));
    }
}

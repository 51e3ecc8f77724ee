//! The annotation readers on the real files in `../shared/data`: every entry of every split
//! parses, with the counts (and the quirks) the files really have.

#[path = "../../../tests/common/mod.rs"]
mod common;

use cmin_train::data::annotations::{Format, read_file};

#[test]
fn every_real_annotation_file_reads() {
    // (file, format, samples, swapped, clamped); counts checked independently in Python.
    let files = [
        ("data/annotations/tacos/train.json", Format::TwoDTan, 9_790, 0, 43),
        ("data/annotations/tacos/val.json", Format::TwoDTan, 4_436, 0, 0),
        ("data/annotations/tacos/test.json", Format::TwoDTan, 4_001, 0, 5),
        ("data/annotations/activitynet/train.json", Format::TwoDTan, 37_421, 2, 29),
        ("data/annotations/activitynet/val.json", Format::TwoDTan, 17_505, 0, 5),
        ("data/annotations/activitynet/test.json", Format::TwoDTan, 17_031, 0, 1),
        ("data/annotations/charades-sta/charades_sta_train.txt", Format::CharadesSta, 12_408, 4, 0),
        ("data/annotations/charades-sta/charades_sta_test.txt", Format::CharadesSta, 3_720, 0, 0),
        ("data/tacos-corenlp/TACOS_test_gcn.json", Format::Reference, 4_083, 0, 0),
    ];
    for (rel, format, samples, swapped, clamped) in files {
        let Some(path) = common::shared(rel) else { return };
        // Detection and the explicit format agree.
        let a = read_file(&path, None).unwrap_or_else(|e| panic!("{rel}: {e}"));
        assert_eq!(read_file(&path, Some(format)).unwrap(), a, "{rel}");
        assert_eq!((a.samples.len(), a.swapped, a.clamped), (samples, swapped, clamped), "{rel}");
        for s in &a.samples {
            assert!(0.0 <= s.start && s.start <= s.end, "{rel}: {s:?}");
            if let Some(d) = s.duration {
                assert!(s.end <= d, "{rel}: {s:?}");
            }
            assert!(!s.sentence.trim().is_empty());
        }
        if format == Format::Reference {
            assert!(a.samples.iter().all(|s| s.parse.as_ref().is_some_and(|p| !p.words.is_empty())));
        }
    }
}

//! Replays the fuzz corpus and every past crasher through the same entry points the fuzz targets
//! call (`tandem_server::fuzzing`), so a fixed crash stays fixed without a nightly toolchain.
//! The corpus lives in `fuzz/corpus/<target>/`, the crashers in `fuzz/regressions/<target>/`.

use std::path::{Path, PathBuf};

type Target = fn(&[u8]);

const TARGETS: [(&str, Target); 4] = [
    ("csv_import", tandem_server::fuzzing::csv_import),
    (
        "fhir_questionnaire_response",
        tandem_server::fuzzing::fhir_questionnaire_response,
    ),
    ("api_bodies", tandem_server::fuzzing::api_bodies),
    ("measurement", tandem_server::fuzzing::measurement),
];

fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    out.sort();
    out
}

#[test]
fn every_corpus_entry_and_past_crasher_runs_without_a_panic() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    for (name, target) in TARGETS {
        let corpus = files(&fuzz.join("corpus").join(name));
        assert!(
            corpus.len() >= 4,
            "fuzz/corpus/{name} holds {} entries; the seeds are committed",
            corpus.len()
        );
        let crashers = files(&fuzz.join("regressions").join(name));
        for file in corpus.iter().chain(&crashers) {
            let data = std::fs::read(file).expect("read corpus entry");
            let outcome = std::panic::catch_unwind(|| target(&data));
            assert!(outcome.is_ok(), "{name} panicked on {}", file.display());
        }
    }
}

//! FHIR R4 resources made from Tandem's records, and a PHQ-9/GAD-7 QuestionnaireResponse read
//! into item answers. Pure: no I/O. Every LOINC code comes from `app::domain::loinc`.

use app::domain::instrument::ANSWERS;
use app::domain::loinc::{self, Concept};
use app::domain::{Difficulty, Instrument};
use app::model::{Measurement, Patient};
use chrono::NaiveDate;
use serde_json::{json, Value};

pub const LOINC: &str = "http://loinc.org";
pub const FHIR_VERSION: &str = "4.0.1";

/// The identifier system of a clinic's MRNs.
pub fn mrn_system(clinic: i64) -> String {
    format!("urn:tandem:clinic:{clinic}:mrn")
}

/// The clinic of an MRN identifier system, when it is one of Tandem's.
pub fn clinic_of_system(system: &str) -> Option<i64> {
    system
        .strip_prefix("urn:tandem:clinic:")?
        .strip_suffix(":mrn")?
        .parse()
        .ok()
}

pub fn patient(p: &Patient) -> Value {
    json!({
        "resourceType": "Patient",
        "id": p.id.0.to_string(),
        "identifier": [{
            "use": "usual",
            "type": {"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/v2-0203",
                "code": "MR",
                "display": "Medical record number"
            }]},
            "system": mrn_system(p.clinic_id.0),
            "value": p.mrn,
        }],
        "name": [{
            "use": "official",
            "family": p.family_name,
            "given": [p.given_name],
        }],
        "birthDate": p.birth_date.to_string(),
    })
}

fn survey_category() -> Value {
    json!([{
        "coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
            "code": "survey",
            "display": "Survey"
        }]
    }])
}

fn loinc_coding(code: &str) -> Value {
    json!({"system": LOINC, "code": code})
}

/// A score's total as an Observation.
pub fn observation(m: &Measurement, patient: i64) -> Value {
    let instrument = m.instrument();
    let mut o = json!({
        "resourceType": "Observation",
        "id": m.id.0.to_string(),
        "status": if m.version > 1 { "amended" } else { "final" },
        "category": survey_category(),
        "code": {
            "coding": [loinc_coding(loinc::total(instrument))],
            "text": format!("{instrument} total score"),
        },
        "subject": {"reference": format!("Patient/{patient}")},
        "effectiveDateTime": m.taken_on.to_string(),
        "valueInteger": m.responses.total(),
        "interpretation": [{"text": m.responses.severity().label()}],
    });
    if !m.responses.is_total_only() {
        o["derivedFrom"] = json!([{"reference": format!("QuestionnaireResponse/{}", m.id.0)}]);
    }
    o
}

fn answer_value(score: u8) -> Value {
    let display = ANSWERS.get(usize::from(score)).copied().unwrap_or_default();
    match loinc::answer(score) {
        Some(code) => json!({"valueCoding": {"system": LOINC, "code": code, "display": display}}),
        None => json!({"valueInteger": score}),
    }
}

/// An item-level score as a QuestionnaireResponse against the LOINC panel; `None` for a
/// total-only score, which has no answers to give.
pub fn questionnaire_response(m: &Measurement, patient: i64) -> Option<Value> {
    let instrument = m.instrument();
    let items = m.responses.items()?;
    let wording = instrument.items();
    let mut out: Vec<Value> = items
        .iter()
        .enumerate()
        .filter_map(|(i, score)| {
            let code = loinc::item(instrument, i + 1)?;
            Some(json!({
                "linkId": code,
                "definition": format!("{LOINC}/{code}"),
                "text": wording.get(i).copied().unwrap_or_default(),
                "answer": [answer_value(*score)],
            }))
        })
        .collect();
    if let Some(d) = m.responses.difficulty() {
        if let (Some(q), Some(a)) = (
            loinc::code_of(Concept::DifficultyItem),
            loinc::code_of(Concept::DifficultyAnswer(d)),
        ) {
            out.push(json!({
                "linkId": q,
                "definition": format!("{LOINC}/{q}"),
                "answer": [{"valueCoding": {"system": LOINC, "code": a, "display": d.label()}}],
            }));
        }
    }
    let total = loinc::total(instrument);
    out.push(json!({
        "linkId": total,
        "definition": format!("{LOINC}/{total}"),
        "text": format!("{instrument} total score"),
        "answer": [{"valueInteger": m.responses.total()}],
    }));
    Some(json!({
        "resourceType": "QuestionnaireResponse",
        "id": m.id.0.to_string(),
        "questionnaire": loinc::questionnaire_url(instrument),
        "status": if m.version > 1 { "amended" } else { "completed" },
        "subject": {"reference": format!("Patient/{patient}")},
        "authored": m.taken_on.to_string(),
        "item": out,
    }))
}

/// A search result: the resources as a `searchset` Bundle with absolute full URLs.
pub fn searchset(base: &str, self_link: &str, resources: Vec<Value>) -> Value {
    let entries: Vec<Value> = resources
        .into_iter()
        .map(|r| {
            let url = format!(
                "{base}/{}/{}",
                r["resourceType"].as_str().unwrap_or_default(),
                r["id"].as_str().unwrap_or_default()
            );
            json!({"fullUrl": url, "resource": r, "search": {"mode": "match"}})
        })
        .collect();
    json!({
        "resourceType": "Bundle",
        "type": "searchset",
        "total": entries.len(),
        "link": [{"relation": "self", "url": format!("{base}/{self_link}")}],
        "entry": entries,
    })
}

/// What the server offers, as a CapabilityStatement.
pub fn capability_statement(base: &str, today: NaiveDate) -> Value {
    json!({
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": today.to_string(),
        "publisher": "Tandem",
        "kind": "instance",
        "software": {"name": "Tandem", "version": env!("CARGO_PKG_VERSION")},
        "implementation": {
            "description": "Tandem collaborative-care registry: PHQ-9 and GAD-7 scores",
            "url": base,
        },
        "fhirVersion": FHIR_VERSION,
        "format": ["application/fhir+json"],
        "rest": [{
            "mode": "server",
            "security": {
                "description": "Send an API token as `Authorization: Bearer <token>`; it acts with its user's role and clinics."
            },
            "resource": [
                {
                    "type": "Patient",
                    "interaction": [{"code": "read"}, {"code": "search-type"}],
                    "searchParam": [{"name": "identifier", "type": "token",
                        "documentation": "system|value, the system being urn:tandem:clinic:{id}:mrn"}],
                },
                {
                    "type": "Observation",
                    "interaction": [{"code": "read"}, {"code": "search-type"}],
                    "searchParam": [
                        {"name": "patient", "type": "reference"},
                        {"name": "code", "type": "token",
                            "documentation": "http://loinc.org|44261-6 (PHQ-9 total) or http://loinc.org|70274-6 (GAD-7 total)"},
                    ],
                },
                {
                    "type": "QuestionnaireResponse",
                    "interaction": [{"code": "read"}, {"code": "search-type"}, {"code": "create"}],
                    "searchParam": [{"name": "patient", "type": "reference"}],
                },
            ],
        }],
    })
}

/// An error as FHIR reports it. `code` is from the issue-type value set.
pub fn operation_outcome(code: &str, diagnostics: &str, expression: Option<&str>) -> Value {
    let mut issue = json!({"severity": "error", "code": code, "diagnostics": diagnostics});
    if let Some(e) = expression {
        issue["expression"] = json!([e]);
    }
    json!({"resourceType": "OperationOutcome", "issue": [issue]})
}

/// A QuestionnaireResponse read into what the measurement form takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answers {
    pub patient: i64,
    pub instrument: Instrument,
    pub taken_on: String,
    /// Item answers by 1-based item number.
    pub items: Vec<(usize, u8)>,
    pub difficulty: Option<Difficulty>,
}

/// Why a QuestionnaireResponse was refused: a message and the FHIRPath of the element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub message: String,
    pub expression: String,
}

fn refuse(expression: impl Into<String>, message: impl Into<String>) -> Refusal {
    Refusal {
        message: message.into(),
        expression: expression.into(),
    }
}

/// The LOINC code an item is linked to: its `linkId` ("44250-9" or "/44250-9") or the end of its
/// `definition`.
fn item_code(item: &Value) -> Option<String> {
    let link = item["linkId"]
        .as_str()
        .map(|l| l.trim().trim_start_matches('/'));
    let from_definition = item["definition"]
        .as_str()
        .and_then(|d| d.rsplit(['/', '#']).next());
    [link, from_definition]
        .into_iter()
        .flatten()
        .find(|c| loinc::concept_of(c).is_some())
        .or(link)
        .map(str::to_owned)
}

fn flatten<'a>(items: &'a [Value], path: &str, out: &mut Vec<(String, &'a Value)>) {
    for (i, item) in items.iter().enumerate() {
        let here = format!("{path}.item[{i}]");
        if let Some(children) = item["item"].as_array() {
            flatten(children, &here, out);
        }
        if item.get("answer").is_some() {
            out.push((here, item));
        }
    }
}

fn instrument_of(questionnaire: &str) -> Option<Instrument> {
    [Instrument::Phq9, Instrument::Gad7]
        .into_iter()
        .find(|i| questionnaire.contains(loinc::panel(*i)))
}

/// Reads a PHQ-9 or GAD-7 QuestionnaireResponse coded by LOINC. Checks the shape; the answers'
/// completeness and ranges are checked by the measurement rules afterwards, as for any score.
pub fn read_questionnaire_response(r: &Value) -> Result<Answers, Refusal> {
    if r["resourceType"] != "QuestionnaireResponse" {
        return Err(refuse(
            "resourceType",
            "The body must be a QuestionnaireResponse resource.",
        ));
    }
    match r["status"].as_str() {
        Some("completed" | "amended") => {}
        _ => {
            return Err(refuse(
                "QuestionnaireResponse.status",
                "Only a completed QuestionnaireResponse can be stored.",
            ))
        }
    }
    let patient = r["subject"]["reference"]
        .as_str()
        .and_then(|s| s.trim().strip_prefix("Patient/"))
        .and_then(|id| id.parse::<i64>().ok())
        .ok_or_else(|| {
            refuse(
                "QuestionnaireResponse.subject",
                "subject must reference the patient, like Patient/12.",
            )
        })?;
    let authored = r["authored"].as_str().unwrap_or_default().trim();
    let taken_on = authored.get(..10).unwrap_or_default();
    if NaiveDate::parse_from_str(taken_on, "%Y-%m-%d").is_err()
        || !(authored.len() == 10 || authored.as_bytes().get(10) == Some(&b'T'))
    {
        return Err(refuse(
            "QuestionnaireResponse.authored",
            "authored must be a date or date-time, like 2026-03-14 or 2026-03-14T09:30:00Z.",
        ));
    }
    let items = r["item"].as_array().ok_or_else(|| {
        refuse(
            "QuestionnaireResponse.item",
            "The response has no items to store.",
        )
    })?;
    let mut answered = Vec::new();
    flatten(items, "QuestionnaireResponse", &mut answered);
    let mut instrument = r["questionnaire"].as_str().and_then(instrument_of);
    let mut scores = Vec::new();
    let mut difficulty = None;
    let mut stated_total = None;
    for (path, item) in answered {
        let code = item_code(item).unwrap_or_default();
        let answer = &item["answer"][0];
        let concept = loinc::concept_of(&code).ok_or_else(|| {
            refuse(
                format!("{path}.linkId"),
                format!("{code:?} is not a LOINC code of the PHQ-9 or GAD-7."),
            )
        })?;
        match concept {
            Concept::Item(Instrument::Phq2, _) | Concept::Total(Instrument::Phq2) => {
                return Err(refuse(
                    format!("{path}.linkId"),
                    "PHQ-2 responses are not accepted; send the PHQ-9.",
                ));
            }
            Concept::Item(i, n) => {
                if *instrument.get_or_insert(i) != i {
                    return Err(refuse(
                        format!("{path}.linkId"),
                        format!(
                            "{code} belongs to the {i}, not the {}.",
                            instrument.unwrap_or(i)
                        ),
                    ));
                }
                let score = answer_score(answer).ok_or_else(|| {
                    refuse(
                        format!("{path}.answer[0]"),
                        "Answer with a LOINC answer code (LA6568-5 … LA6571-9) or an integer 0–3.",
                    )
                })?;
                scores.push((usize::from(n), score));
            }
            Concept::Total(_) => {
                stated_total = answer["valueInteger"].as_i64();
            }
            Concept::DifficultyItem => {
                let code = answer["valueCoding"]["code"].as_str().unwrap_or_default();
                difficulty = match loinc::concept_of(code) {
                    Some(Concept::DifficultyAnswer(d)) => Some(d),
                    _ => {
                        return Err(refuse(
                            format!("{path}.answer[0]"),
                            "Answer the difficulty item with one of its LOINC answer codes.",
                        ))
                    }
                };
            }
            Concept::Panel(_) | Concept::Answer(_) | Concept::DifficultyAnswer(_) => {
                return Err(refuse(
                    format!("{path}.linkId"),
                    format!("{code} is not a question."),
                ))
            }
        }
    }
    let instrument = instrument.ok_or_else(|| {
        refuse(
            "QuestionnaireResponse.questionnaire",
            "Say which questionnaire this is: http://loinc.org/q/44249-1 (PHQ-9) or http://loinc.org/q/69737-5 (GAD-7).",
        )
    })?;
    let mut seen = std::collections::BTreeSet::new();
    for (n, _) in &scores {
        if !seen.insert(*n) {
            return Err(refuse(
                "QuestionnaireResponse.item",
                format!("Item {n} of the {instrument} is answered twice."),
            ));
        }
    }
    if let Some(total) = stated_total {
        let sum: i64 = scores.iter().map(|(_, s)| i64::from(*s)).sum();
        if scores.len() == instrument.item_count() && total != sum {
            return Err(refuse(
                "QuestionnaireResponse.item",
                format!("The stated total {total} is not the sum of the answers ({sum})."),
            ));
        }
    }
    Ok(Answers {
        patient,
        instrument,
        taken_on: taken_on.to_owned(),
        items: scores,
        difficulty,
    })
}

/// An item's score from a LOINC answer coding or an integer. Out-of-range integers are kept, to
/// be refused by the measurement rules with their usual message.
fn answer_score(answer: &Value) -> Option<u8> {
    if let Some(code) = answer["valueCoding"]["code"].as_str() {
        return match loinc::concept_of(code) {
            Some(Concept::Answer(score)) => Some(score),
            _ => None,
        };
    }
    answer["valueInteger"]
        .as_i64()
        .and_then(|v| u8::try_from(v).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phq9_response(items: &[(&str, &str)]) -> Value {
        json!({
            "resourceType": "QuestionnaireResponse",
            "questionnaire": "http://loinc.org/q/44249-1",
            "status": "completed",
            "subject": {"reference": "Patient/7"},
            "authored": "2026-03-14T09:30:00Z",
            "item": items.iter().map(|(q, a)| json!({
                "linkId": q,
                "answer": [{"valueCoding": {"system": LOINC, "code": a}}]
            })).collect::<Vec<_>>(),
        })
    }

    const ALL_ZERO: [(&str, &str); 9] = [
        ("44250-9", "LA6568-5"),
        ("44255-8", "LA6569-3"),
        ("44259-0", "LA6570-1"),
        ("44254-1", "LA6571-9"),
        ("44251-7", "LA6568-5"),
        ("44258-2", "LA6568-5"),
        ("44252-5", "LA6568-5"),
        ("44253-3", "LA6568-5"),
        ("44260-8", "LA6569-3"),
    ];

    #[test]
    fn a_phq9_response_reads_into_item_scores() {
        let a = read_questionnaire_response(&phq9_response(&ALL_ZERO)).expect("reads");
        assert_eq!(a.patient, 7);
        assert_eq!(a.instrument, Instrument::Phq9);
        assert_eq!(a.taken_on, "2026-03-14");
        assert_eq!(
            a.items,
            vec![
                (1, 0),
                (2, 1),
                (3, 2),
                (4, 3),
                (5, 0),
                (6, 0),
                (7, 0),
                (8, 0),
                (9, 1)
            ]
        );
    }

    #[test]
    fn an_unknown_loinc_code_is_refused_with_its_place() {
        let mut items = ALL_ZERO.to_vec();
        items[3] = ("12345-6", "LA6568-5");
        let err = read_questionnaire_response(&phq9_response(&items)).expect_err("refused");
        assert_eq!(err.expression, "QuestionnaireResponse.item[3].linkId");
        assert!(err.message.contains("12345-6"), "{}", err.message);
    }

    #[test]
    fn mixing_gad7_items_into_a_phq9_is_refused() {
        let mut items = ALL_ZERO.to_vec();
        items[0] = ("69725-0", "LA6568-5");
        let err = read_questionnaire_response(&phq9_response(&items)).expect_err("refused");
        assert!(err.message.contains("GAD-7"), "{}", err.message);
    }

    #[test]
    fn drafts_and_missing_subjects_are_refused() {
        let mut r = phq9_response(&ALL_ZERO);
        r["status"] = json!("in-progress");
        assert_eq!(
            read_questionnaire_response(&r)
                .expect_err("draft")
                .expression,
            "QuestionnaireResponse.status"
        );
        let mut r = phq9_response(&ALL_ZERO);
        r["subject"] = json!({"reference": "Group/1"});
        assert_eq!(
            read_questionnaire_response(&r)
                .expect_err("subject")
                .expression,
            "QuestionnaireResponse.subject"
        );
        let mut r = phq9_response(&ALL_ZERO);
        r["authored"] = json!("14/03/2026");
        assert_eq!(
            read_questionnaire_response(&r)
                .expect_err("date")
                .expression,
            "QuestionnaireResponse.authored"
        );
    }

    #[test]
    fn a_stated_total_must_match_the_answers() {
        let mut r = phq9_response(&ALL_ZERO);
        r["item"]
            .as_array_mut()
            .expect("items")
            .push(json!({"linkId": "44261-6", "answer": [{"valueInteger": 20}]}));
        let err = read_questionnaire_response(&r).expect_err("mismatch");
        assert!(err.message.contains("not the sum"), "{}", err.message);
    }

    #[test]
    fn mrn_systems_name_their_clinic() {
        assert_eq!(clinic_of_system(&mrn_system(12)), Some(12));
        assert_eq!(clinic_of_system("http://hospital.example/mrn"), None);
        assert_eq!(clinic_of_system("urn:tandem:clinic:x:mrn"), None);
    }
}

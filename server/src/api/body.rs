//! JSON request bodies: one decoder, so every endpoint names the field a
//! bad value is in the same way — by its path (`recipients[0].user_id`),
//! a missing or unknown field by its own name — and answers 422; what is
//! not JSON at all is a 400.

use serde::de::DeserializeOwned;

use super::problem::Problem;
use herald::FieldErrors;

/// Decodes `body` as a `T`, or the problem to answer.
pub fn json_body<T: DeserializeOwned>(body: &[u8]) -> Result<T, Problem> {
    let mut json = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize::<_, T>(&mut json).map_err(|error| {
        let inner = error.inner();
        if inner.classify() != serde_json::error::Category::Data {
            return malformed(inner);
        }
        let mut errors = FieldErrors::default();
        let message = inner.to_string();
        errors.push(&field(&error.path().to_string(), &message), message.clone());
        Problem::invalid(errors)
    })?;
    // Anything after the value makes it not JSON.
    json.end().map_err(|e| malformed(&e))?;
    Ok(value)
}

fn malformed(error: &serde_json::Error) -> Problem {
    Problem::bad_request(format!("Malformed JSON: {error}"))
}

/// The field an error at `path` (`.` for the top) with `message` is about.
fn field(path: &str, message: &str) -> String {
    // serde names a missing or unknown field in backticks, at its parent.
    let named = (message.starts_with("missing field") || message.starts_with("unknown field"))
        .then(|| message.split('`').nth(1))
        .flatten()
        .filter(|f| !f.is_empty() && f.len() <= 40);
    match (path, named) {
        (".", Some(name)) => name.to_owned(),
        (".", None) => "body".to_owned(),
        (path, Some(name)) if !path.ends_with(name) => format!("{path}.{name}"),
        (path, _) => path.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Request {
        title: String,
        recipients: Vec<Recipient>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Recipient {
        user_id: i64,
    }

    fn field_of(body: &str) -> String {
        let problem = json_body::<Request>(body.as_bytes()).unwrap_err();
        let json = serde_json::to_value(&problem).unwrap();
        json["errors"][0]["field"].as_str().unwrap().to_owned()
    }

    #[test]
    fn each_kind_of_bad_value_names_its_field() {
        assert_eq!(field_of(r#"{"recipients": []}"#), "title");
        assert_eq!(field_of(r#"{"title": 1, "recipients": []}"#), "title");
        assert_eq!(
            field_of(r#"{"title": "t", "recipients": [], "colour": 1}"#),
            "colour"
        );
        assert_eq!(
            field_of(r#"{"title": "t", "recipients": [{"user_id": "x"}]}"#),
            "recipients[0].user_id"
        );
        assert_eq!(
            field_of(r#"{"title": "t", "recipients": [{}]}"#),
            "recipients[0].user_id"
        );
        assert_eq!(field_of(r#""just text""#), "body");
    }

    #[test]
    fn what_is_not_json_is_a_bad_request() {
        for body in ["{", "", r#"{"title": "t", "recipients": []} trailing"#] {
            let problem = json_body::<Request>(body.as_bytes()).unwrap_err();
            assert_eq!(problem.status, 400, "{body}");
        }
    }
}

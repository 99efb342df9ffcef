//! What a request carries: one extractor for JSON bodies and one for query
//! strings, for the whole API, so every endpoint refuses the same way — a
//! body not JSON by content type 415, too large 413, not JSON at all 400 —
//! and names the field a bad value is in by its path
//! (`recipients[0].user_id`), a missing or unknown field by its own name,
//! with a 422.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use herald::FieldErrors;
use serde::de::DeserializeOwned;

use super::problem::Problem;

/// A request's JSON body, its content type and size checked; decoded with
/// [`JsonBody::decode`] when the handler is ready (after an idempotent
/// replay, say). The bytes are what was sent, for hashing.
pub struct JsonBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = Problem;

    async fn from_request(request: Request, state: &S) -> Result<JsonBody, Problem> {
        if !is_json(request.headers()) {
            return Err(Problem::unsupported_media_type());
        }
        let bytes =
            Bytes::from_request(request, state)
                .await
                .map_err(|rejection| match rejection.status() {
                    StatusCode::PAYLOAD_TOO_LARGE => Problem::too_large(),
                    _ => Problem::bad_request(rejection.body_text()),
                })?;
        Ok(JsonBody(bytes))
    }
}

impl JsonBody {
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, Problem> {
        json_body(&self.0)
    }
}

/// A request's query string, decoded as a `T`, each bad field named.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<ApiQuery<T>, Problem> {
        let query = parts.uri.query().unwrap_or_default();
        let decoder =
            serde_urlencoded::Deserializer::new(url::form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(decoder)
            .map(ApiQuery)
            .map_err(|error| {
                let message = error.inner().to_string();
                let mut errors = FieldErrors::default();
                errors.push(&field(&error.path().to_string(), &message), message.clone());
                Problem::invalid(errors)
            })
    }
}

/// A notification's id (and what follows it) in the path: one that does
/// not parse names nothing there is, so it is a 404 like a missing one.
pub struct IdPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for IdPath<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<IdPath<T>, Problem> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| IdPath(value))
            .map_err(|_| Problem::not_found())
    }
}

/// `application/json`, or a `+json` type, with any parameters.
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|t| t.trim().to_ascii_lowercase())
        .is_some_and(|t| {
            t == "application/json" || (t.starts_with("application/") && t.ends_with("+json"))
        })
}

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

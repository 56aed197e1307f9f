//! A refused API request, as the handlers and the jobs report it.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// A refused request: its status, the field at fault (dotted, e.g. `set.regulation.stringency`
/// or `b.scenario`) and what is wrong. Sent as `{"error": ..., "field": ...}`.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub field: Option<String>,
    pub message: String,
}

impl ApiError {
    pub fn bad(field: impl Into<String>, message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            field: Some(field.into()),
            message: message.into(),
        }
    }
    pub fn not_found(field: impl Into<String>, message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::NOT_FOUND,
            ..ApiError::bad(field, message)
        }
    }
    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            field: None,
            message: message.into(),
        }
    }
    pub fn to_json(&self) -> Value {
        json!({"error": self.message, "field": self.field, "status": self.status.as_u16()})
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        super::json(self.status, self.to_json())
    }
}

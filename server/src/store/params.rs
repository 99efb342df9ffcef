//! Bound values named by their placeholders. A query built around an
//! engine's fragment (`dialect.rs`) writes `{title}`, never `$2`: each
//! value gets its number as it is bound, so none can land in another's place.

use sqlx::any::AnyArguments;
use sqlx::{Any, Arguments, Encode, Type};

use super::StoreError;

#[derive(Default)]
pub(super) struct Params<'q> {
    args: AnyArguments<'q>,
}

impl<'q> Params<'q> {
    /// Binds `value` next; its placeholder, for the SQL.
    pub fn bind<T>(&mut self, value: T) -> Result<String, StoreError>
    where
        T: 'q + Encode<'q, Any> + Type<Any>,
    {
        self.args
            .add(value)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok(format!("${}", self.args.len()))
    }

    pub fn into_args(self) -> AnyArguments<'q> {
        self.args
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_value_is_named_by_the_place_it_was_bound() {
        let mut params = Params::default();
        assert_eq!(params.bind(7_i64).unwrap(), "$1");
        assert_eq!(params.bind("title").unwrap(), "$2");
        assert_eq!(params.bind(None::<i64>).unwrap(), "$3");
        assert_eq!(params.into_args().len(), 3);
    }
}

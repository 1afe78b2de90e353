//! Resources whose value reaches the browser in the [`Wire`](super::Wire) encoding, compiled once
//! for every value type.
//!
//! A framework resource is generic in its source, its fetcher and its value, so the wasm held one
//! copy of the resource machinery (the memo of the source, the async derived signal, the
//! hydration decoder, the future that reads it) for every resource a page creates. Here that
//! machinery runs on one erased type, [`Held`]: a value as fetched, or the bytes the server's
//! render sent. Only reading a [`Loaded`] knows its type: it clones the value out, or decodes the
//! bytes.

use std::any::Any;
use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;

use codee::{Decoder, Encoder};
use leptos::prelude::{ReadUntracked, Resource};
use serde::de::DeserializeOwned;

use crate::error::AppError;

/// A resource whose value is `Result<T, AppError>`, read by awaiting it (inside a `Suspense`) or
/// with [`get_untracked`](Self::get_untracked).
pub struct Loaded<T> {
    inner: Resource<Held, HeldCodec>,
    value: PhantomData<fn() -> T>,
}

impl<T> Clone for Loaded<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Loaded<T> {}

/// What a [`Loaded`] resource holds, whatever its type.
#[derive(Clone)]
pub struct Held(HeldValue);

#[derive(Clone)]
enum HeldValue {
    /// Fetched on this side: the value itself, and on the server how to encode it for the page.
    Value(Arc<dyn Any + Send + Sync>, #[cfg(feature = "ssr")] Encode),
    /// Sent by the server's render: the value in the wire encoding, decoded when it is read.
    Bytes(Arc<[u8]>),
}

#[cfg(feature = "ssr")]
type Encode = fn(&(dyn Any + Send + Sync)) -> Option<Vec<u8>>;

impl Held {
    fn new<T>(value: Result<T, AppError>) -> Self
    where
        T: serde::Serialize + Send + Sync + 'static,
    {
        Self(HeldValue::Value(
            Arc::new(value),
            #[cfg(feature = "ssr")]
            |value| {
                let value = value.downcast_ref::<Result<T, AppError>>()?;
                crate::components::markup::page_copy::encode(|| {
                    <codee::binary::PostcardCodec as Encoder<Result<T, AppError>>>::encode(value)
                })
                .ok()
            },
        ))
    }

    /// The value, cloned or decoded. Bytes that do not decode (a page from another build) read
    /// as an internal error rather than stopping the page.
    fn read<T>(&self) -> Result<T, AppError>
    where
        T: DeserializeOwned + Clone + 'static,
    {
        match &self.0 {
            HeldValue::Value(value, ..) => value
                .downcast_ref::<Result<T, AppError>>()
                .cloned()
                .unwrap_or(Err(AppError::Internal)),
            HeldValue::Bytes(bytes) => super::from_wire(bytes).and_then(|value| value),
        }
    }
}

/// How a [`Held`] value crosses from the server's render to the browser: its wire bytes (which
/// the framework writes into the page in base64).
pub struct HeldCodec;

impl Encoder<Held> for HeldCodec {
    type Error = &'static str;
    type Encoded = Vec<u8>;

    fn encode(held: &Held) -> Result<Vec<u8>, Self::Error> {
        match &held.0 {
            #[cfg(feature = "ssr")]
            HeldValue::Value(value, encode) => encode(value.as_ref()).ok_or("not encoded"),
            #[cfg(not(feature = "ssr"))]
            HeldValue::Value(..) => Err("values are encoded on the server"),
            HeldValue::Bytes(bytes) => Ok(bytes.to_vec()),
        }
    }
}

impl Decoder<Held> for HeldCodec {
    type Error = std::convert::Infallible;
    type Encoded = [u8];

    fn decode(bytes: &[u8]) -> Result<Held, Self::Error> {
        Ok(Held(HeldValue::Bytes(bytes.into())))
    }
}

/// A resource's source value with its fetcher: two keys are equal when their sources are, and
/// running a key fetches the value for its source.
#[derive(Clone)]
pub struct Key(Arc<dyn Keyed>);

type Fetching = Pin<Box<dyn Future<Output = Held> + Send>>;

trait Keyed: Send + Sync {
    fn source(&self) -> &dyn Any;
    fn same(&self, other: &dyn Keyed) -> bool;
    fn fetch(&self) -> Fetching;
}

struct SourceWithFetcher<S, F> {
    source: S,
    fetcher: Arc<F>,
}

impl<S, F, Fut, T> Keyed for SourceWithFetcher<S, F>
where
    S: PartialEq + Clone + Send + Sync + 'static,
    F: Fn(S) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<T, AppError>> + Send + 'static,
    T: serde::Serialize + Send + Sync + 'static,
{
    fn source(&self) -> &dyn Any {
        &self.source
    }

    fn same(&self, other: &dyn Keyed) -> bool {
        other.source().downcast_ref::<S>() == Some(&self.source)
    }

    fn fetch(&self) -> Fetching {
        let fetching = (self.fetcher)(self.source.clone());
        Box::pin(async move { Held::new(fetching.await) })
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Self) -> bool {
        self.0.same(other.0.as_ref())
    }
}

/// Creates a [`Loaded`] resource: `fetcher` runs on the server while the page renders, and the
/// browser hydrates its value without asking again; when `source` changes, it runs again.
pub fn load<S, T, F, Fut>(source: impl Fn() -> S + Send + Sync + 'static, fetcher: F) -> Loaded<T>
where
    S: PartialEq + Clone + Send + Sync + 'static,
    F: Fn(S) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<T, AppError>> + Send + 'static,
    T: serde::Serialize + DeserializeOwned + Send + Sync + 'static,
{
    let fetcher = Arc::new(fetcher);
    Loaded {
        inner: erased(Box::new(move || {
            Key(Arc::new(SourceWithFetcher {
                source: source(),
                fetcher: fetcher.clone(),
            }))
        })),
        value: PhantomData,
    }
}

/// The one resource every [`Loaded`] is made of.
fn erased(source: Box<dyn Fn() -> Key + Send + Sync>) -> Resource<Held, HeldCodec> {
    Resource::new_with_options(source, |key: Key| key.0.fetch(), false)
}

impl<T> Loaded<T>
where
    T: DeserializeOwned + Clone + Send + Sync + 'static,
{
    /// The value if it has loaded, without tracking it.
    pub fn get_untracked(&self) -> Option<Result<T, AppError>> {
        self.inner
            .try_read_untracked()
            .and_then(|held| held.as_ref().map(Held::read))
    }
}

impl<T> IntoFuture for Loaded<T>
where
    T: DeserializeOwned + Clone + Send + Sync + 'static,
{
    type Output = Result<T, AppError>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<T, AppError>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        let held = self.inner.into_future();
        Box::pin(async move { held.await.read() })
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    fn key<S: PartialEq + Clone + Send + Sync + 'static>(source: S) -> Key {
        Key(Arc::new(SourceWithFetcher {
            source,
            fetcher: Arc::new(|_: S| async { Ok::<u8, AppError>(0) }),
        }))
    }

    #[test]
    fn a_value_crosses_to_the_browser_as_bytes_and_reads_back() {
        let held = Held::new(Ok::<_, AppError>(vec![(1_i64, "one".to_owned())]));
        let bytes = <HeldCodec as Encoder<Held>>::encode(&held).unwrap();
        let Ok(arrived) = <HeldCodec as Decoder<Held>>::decode(&bytes);
        assert!(matches!(arrived.0, HeldValue::Bytes(_)));
        let read: Result<Vec<(i64, String)>, AppError> = arrived.read();
        assert_eq!(read.unwrap(), vec![(1, "one".to_owned())]);
        assert_eq!(held.read::<Vec<(i64, String)>>().unwrap()[0].1, "one");
    }

    #[test]
    fn a_refusal_crosses_too() {
        let held = Held::new(Err::<u8, _>(AppError::Forbidden));
        let bytes = <HeldCodec as Encoder<Held>>::encode(&held).unwrap();
        let Ok(arrived) = <HeldCodec as Decoder<Held>>::decode(&bytes);
        assert_eq!(arrived.read::<u8>(), Err(AppError::Forbidden));
    }

    #[test]
    fn bytes_of_another_shape_read_as_an_internal_error_not_a_panic() {
        let Ok(garbage) = <HeldCodec as Decoder<Held>>::decode(&[0xff, 0xff, 0xff]);
        assert_eq!(garbage.read::<Vec<String>>(), Err(AppError::Internal));
        let held = Held::new(Ok::<_, AppError>(7_u8));
        assert_eq!(held.read::<String>(), Err(AppError::Internal));
    }

    #[test]
    fn the_pages_copy_leaves_out_markup_the_page_already_holds() {
        use crate::components::markup::Markup;
        let drawn = Markup::render(|| "Scores & trends");
        let held = Held::new(Ok::<_, AppError>((drawn.clone(), drawn.clone().redrawn())));
        // The server's own render reads it whole.
        let (once, again) = held.read::<(Markup, Markup)>().unwrap();
        assert_eq!(once.as_str(), "Scores &amp; trends");
        assert_eq!(again.as_str(), once.as_str());
        // The page's copy: empty where the page holds the nodes, whole where it draws them again.
        let bytes = <HeldCodec as Encoder<Held>>::encode(&held).unwrap();
        let Ok(arrived) = <HeldCodec as Decoder<Held>>::decode(&bytes);
        let (once, again) = arrived.read::<(Markup, Markup)>().unwrap();
        assert_eq!(once.as_str(), "");
        assert_eq!(again.as_str(), "Scores &amp; trends");
        // Anything else (a server function's result) carries it whole, also after a page copy.
        let result =
            <codee::binary::PostcardCodec as Encoder<Markup>>::encode(&drawn).expect("encodes");
        let result: Markup = crate::api::from_wire(&result).unwrap();
        assert_eq!(result.as_str(), "Scores &amp; trends");
    }

    #[test]
    fn keys_are_equal_when_their_sources_are() {
        assert!(key((1_i64, "a")) == key((1_i64, "a")));
        assert!(key((1_i64, "a")) != key((2_i64, "a")));
        // The same bits of another type are another source.
        assert!(key(1_i64) != key(1_u64));
    }
}

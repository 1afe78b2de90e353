//! Every request keeps its own current reactive owner.
//!
//! The view layer keeps "the current reactive owner" in a thread-local: server functions, page
//! renders and the static-file handler look up their request's context (its parts, its pending
//! response headers) through it. Rendering a page makes the page's root owner current and leaves
//! it current when the render waits for its data, and a handler that creates an owner while
//! another request's owner is current makes its own a child of that one. Requests are tasks that
//! interleave on a worker thread and move between threads, so one request could read another's
//! context: a stylesheet or wasm module served while a page waited for the store took the page's
//! pending headers (its Content-Security-Policy among them), and the page went out with none, so
//! its script was refused.
//!
//! [`RequestOwnerLayer`] makes the current owner follow the request instead of the thread: on
//! every poll of a request's response (and of its body) the owner that request left current is
//! put back, and the thread's own is restored afterwards.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::response::Response;
use http_body::{Frame, SizeHint};
use leptos::reactive::owner::Owner;
use tower::{Layer, Service};

/// Runs `f` with `slot` as the thread's current owner, then restores the thread's own and keeps
/// in `slot` whatever `f` left current; also when `f` panics, so that a request that fails this way
/// cannot leave its owner to the next one on the thread.
fn within<R>(slot: &mut Option<Owner>, f: impl FnOnce() -> R) -> R {
    let thread_owner = make_current(slot.take());
    let _restore = Restore { slot, thread_owner };
    f()
}

/// Puts the thread's own owner back when dropped (see [`within`]).
struct Restore<'a> {
    slot: &'a mut Option<Owner>,
    thread_owner: Option<Owner>,
}

impl Drop for Restore<'_> {
    fn drop(&mut self) {
        *self.slot = make_current(self.thread_owner.take());
    }
}

/// Makes `owner` the thread's current owner (`None`: no owner) and returns the one it replaces.
fn make_current(owner: Option<Owner>) -> Option<Owner> {
    let was = Owner::current();
    match owner {
        Some(owner) => owner.set(),
        None => {
            if let Some(was) = was.clone() {
                was.unset();
            }
        }
    }
    was
}

/// Gives each request its own current reactive owner (see the module's documentation).
#[derive(Clone, Copy, Debug, Default)]
pub struct RequestOwnerLayer;

impl<S> Layer<S> for RequestOwnerLayer {
    type Service = RequestOwner<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequestOwner { inner }
    }
}

/// The service that [`RequestOwnerLayer`] wraps around the router.
#[derive(Clone, Debug)]
pub struct RequestOwner<S> {
    inner: S,
}

impl<S> Service<Request> for RequestOwner<S>
where
    S: Service<Request, Response = Response>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = OwnedResponse<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        let mut owner = None;
        let inner = within(&mut owner, || self.inner.call(req));
        OwnedResponse {
            inner: Box::pin(inner),
            owner,
        }
    }
}

/// A request's response, polled with the request's own current owner.
pub struct OwnedResponse<F> {
    inner: Pin<Box<F>>,
    owner: Option<Owner>,
}

impl<F, E> Future for OwnedResponse<F>
where
    F: Future<Output = Result<Response, E>>,
{
    type Output = Result<Response, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let inner = &mut this.inner;
        match within(&mut this.owner, || inner.as_mut().poll(cx)) {
            Poll::Ready(Ok(response)) => {
                // A page's body is still to be written: it goes on with the page's owner.
                let owner = this.owner.take();
                Poll::Ready(Ok(
                    response.map(|body| Body::new(OwnedBody { inner: body, owner }))
                ))
            }
            other => other,
        }
    }
}

/// A response body, polled with its request's own current owner.
struct OwnedBody {
    inner: Body,
    owner: Option<Owner>,
}

impl http_body::Body for OwnedBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let this = self.get_mut();
        let inner = &mut this.inner;
        within(&mut this.owner, || Pin::new(inner).poll_frame(cx))
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slot_is_current_inside_and_the_threads_owner_is_back_after() {
        let thread_owner = Owner::new();
        thread_owner.set();
        let mut slot = None;
        let root = within(&mut slot, || {
            assert!(
                Owner::current().is_none(),
                "a new request starts with no owner"
            );
            // As a page render does: a root owner made current and left so.
            Owner::new_root(None)
        });
        assert_eq!(Owner::current(), Some(thread_owner.clone()));
        assert_eq!(
            slot,
            Some(root.clone()),
            "the request keeps the owner it left current"
        );
        within(&mut slot, || {
            assert_eq!(Owner::current(), Some(root.clone()));
            // An owner made here is the request's, not the thread's.
            assert_eq!(Owner::new().parent(), Some(root.clone()));
        });
        assert_eq!(Owner::current(), Some(thread_owner.clone()));
    }

    #[test]
    fn a_request_that_panics_does_not_leave_its_owner_to_the_thread() {
        let thread_owner = Owner::new();
        thread_owner.set();
        let mut slot = None;
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            within(&mut slot, || {
                let _root = Owner::new_root(None);
                panic!("a failing request");
            })
        }));
        assert!(panicked.is_err());
        assert_eq!(Owner::current(), Some(thread_owner));
    }
}

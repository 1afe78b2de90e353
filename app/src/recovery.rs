//! What the browser does when a screen's code cannot be loaded.
//!
//! The wasm is split by area of screens (see `routes.rs`), and an area's modules are fetched when
//! one of its screens first opens. A page loaded before Tandem was upgraded asks for its own
//! build's modules, whose content-hashed names the new build no longer serves; a network failure
//! loses a module the same way. The loader then panics, and a panic stops the wasm: the page
//! would stay as it was, with nothing on it working. Instead the page reloads once, which brings
//! the current build's code. If the reloaded page fails again before any screen has worked, it
//! is left as it is (the console has the reason) rather than reloading for ever.

use web_sys::window;

/// What the split loader's panic says when a module could not be fetched or instantiated.
const MODULE_NOT_LOADED: &str = "load callback should succeed";

/// Set in the tab's session storage by a reload made here; cleared once a screen works.
const RELOADED: &str = "tandem.reloaded-for-code";

/// Logs panics to the console, and reloads the page once when a screen's code could not be loaded.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        if info.to_string().contains(MODULE_NOT_LOADED) {
            reload_once();
        }
    }));
}

/// A screen has hydrated, so the code on this page works: a later failure may reload again.
pub fn screen_works() {
    if let Some(storage) = session_storage() {
        // Nothing to do when storage is refused; the flag is then never set either.
        let _ = storage.remove_item(RELOADED);
    }
}

fn reload_once() {
    // Without storage a reload could not be told from the next one: no reload, rather than a loop.
    let Some(storage) = session_storage() else {
        return;
    };
    if matches!(storage.get_item(RELOADED), Ok(Some(_))) {
        return;
    }
    if storage.set_item(RELOADED, "1").is_ok() {
        if let Some(w) = window() {
            let _ = w.location().reload();
        }
    }
}

fn session_storage() -> Option<web_sys::Storage> {
    window()?.session_storage().ok().flatten()
}

#![recursion_limit = "256"]
//! The browser entry point: hydrate the HTML the server rendered.

// The islands live in `app`: linking it keeps their exports.
extern crate app;

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Waits for the WASM chunks of lazy routes (the admin console) the
    // page was rendered with before hydrating it.
    leptos::mount::hydrate_islands();
}

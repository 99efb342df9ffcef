#![recursion_limit = "256"]
//! The browser entry point: hydrate the HTML the server rendered.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Waits for the WASM chunks of lazy routes (the admin console) the
    // page was rendered with before hydrating it.
    leptos::mount::hydrate_lazy(app::App);
}

//! `review apply`'s sheet reader (the part that needs no snapshot): never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = whocan::commands::review::fuzz_sheet(data);
});

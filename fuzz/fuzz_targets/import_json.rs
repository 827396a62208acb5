//! The JSON importer, from shape detection through assembly: any bytes are read or
//! refused with `path:line:column`, never a panic. The first byte picks the name, so
//! member lists (`members/<guid>.json`) are reached too.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (name, bytes) = match data.split_first() {
        Some((b, rest)) if b % 2 == 1 => ("members/7e666535-0fad-42c2-be97-d2bf62869490.json", rest),
        Some((_, rest)) => ("export.json", rest),
        None => ("export.json", data),
    };
    let _ = whocan::import::fuzz_read(bytes, name);
});

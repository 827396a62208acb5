//! The CSV readers (every recognised header, and edge lists): any bytes are read or
//! refused with `path:line:column`, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (name, bytes) = match data.split_first() {
        Some((b, rest)) if b % 3 == 1 => ("members/7e666535-0fad-42c2-be97-d2bf62869490.csv", rest),
        Some((b, rest)) if b % 3 == 2 => ("roleassignments.csv", rest),
        Some((_, rest)) => ("export.csv", rest),
        None => ("export.csv", data),
    };
    let _ = whocan::import::fuzz_read(bytes, name);
});

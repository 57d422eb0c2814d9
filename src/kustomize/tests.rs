//! Unit tests: hash suffix, name references, namespace handling, provenance.

use super::*;

#[test]
fn sha256_known_vector() {
    assert_eq!(hash::sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

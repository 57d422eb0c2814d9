//! The text of a YAML scalar. Short texts (most keys and values) are stored inline, with no
//! allocation; long ones (scripts, certificates, dashboards in ConfigMaps) are reference-counted.
//! Rendering clones objects (every overlay copies its bases): a long text's clone is then the same
//! bytes, not a copy of them. On webgrip, copies of long texts were an eighth of the peak heap.

use compact_str::CompactString;
use std::sync::Arc;

/// A scalar's text. Reads as a `str` (`Deref`) and compares as one.
#[derive(Clone)]
pub struct Text(Repr);

#[derive(Clone)]
enum Repr {
    Inline(CompactString),
    Shared(Arc<str>),
}

// As small as a `CompactString`: it is in every YAML node.
const _: () = assert!(std::mem::size_of::<Text>() == 24);

impl Text {
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Inline(s) => s.as_str(),
            Repr::Shared(s) => s,
        }
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Text {
        // Longer than `CompactString` holds inline: it would allocate anyway, so share it.
        if s.len() > std::mem::size_of::<CompactString>() { Text(Repr::Shared(crate::alloc::outside_scratch(|| Arc::from(s)))) } else { Text(Repr::Inline(CompactString::from(s))) }
    }
}

impl From<String> for Text {
    fn from(s: String) -> Text {
        Text::from(s.as_str())
    }
}

impl From<Text> for String {
    fn from(t: Text) -> String {
        t.as_str().to_string()
    }
}

impl Default for Text {
    fn default() -> Text {
        Text(Repr::Inline(CompactString::default()))
    }
}

impl std::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl std::fmt::Debug for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self.as_str(), f)
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        self.as_str() == other.as_str()
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Text {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

#[cfg(test)]
mod tests {
    use super::Text;

    #[test]
    fn short_texts_are_inline_and_long_ones_shared_by_clones() {
        let short = Text::from("postgres");
        assert!(matches!(short.0, super::Repr::Inline(_)));
        let long = Text::from("#!/bin/sh\nset -eu\npg_dump --format=custom \"$DATABASE_URL\"\n");
        let copy = long.clone();
        assert_eq!(long.as_ptr(), copy.as_ptr());
        assert_eq!(copy, "#!/bin/sh\nset -eu\npg_dump --format=custom \"$DATABASE_URL\"\n");
    }
}

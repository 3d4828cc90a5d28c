import RunLog

/// A JSON array with one object per item, as text (no newline after it): `fields` writes one item's
/// keys and values between the object's braces.
func jsonArrayText<Item>(_ items: some Sequence<Item>, _ fields: (inout JSONWriter, Item) -> Void) -> String {
    var w = JSONWriter()
    w.array(items) { w, item in
        w.beginObject()
        fields(&w, item)
        w.endObject()
    }
    return String(decoding: w.bytes, as: UTF8.self)
}

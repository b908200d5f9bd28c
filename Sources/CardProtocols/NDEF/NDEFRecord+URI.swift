extension NDEFRecord {
    /// A well-known `U` record, abbreviated with the longest matching identifier code.
    public static func uri(_ uri: String) -> NDEFRecord {
        let (code, rest) = URIPrefix.abbreviate(uri)
        return NDEFRecord(tnf: .wellKnown, type: [0x55], payload: [code] + Array(rest.utf8))
    }

    /// The URI of a well-known `U` record (or an absolute-URI record), `nil` for any other record, a
    /// reserved identifier code, or bytes that are not UTF-8.
    public var uri: String? {
        switch tnf {
        case .wellKnown where type == [0x55]:
            guard let code = payload.first, Int(code) < URIPrefix.table.count,
                  let rest = String(validating: payload.dropFirst(), as: UTF8.self)
            else { return nil }
            return URIPrefix.table[Int(code)] + rest
        case .absoluteURI:
            return String(validating: type, as: UTF8.self)
        default:
            return nil
        }
    }
}

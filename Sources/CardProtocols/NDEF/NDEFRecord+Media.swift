extension NDEFRecord {
    /// A media-type record (TNF 2), for example `mime("application/vnd.parcours.card", bytes)`.
    public static func mime(_ type: String, _ data: [UInt8]) -> NDEFRecord {
        NDEFRecord(tnf: .media, type: Array(type.utf8), payload: data)
    }

    /// An NFC Forum external-type record (TNF 4) with type `domain:type`.
    ///
    /// External type names compare case-insensitively, so they are written in lower case as Android does.
    public static func external(domain: String, type: String, payload: [UInt8]) -> NDEFRecord {
        NDEFRecord(tnf: .external, type: Array("\(domain):\(type)".lowercased().utf8), payload: payload)
    }

    /// The media type of a TNF 2 record.
    public var mediaType: String? {
        tnf == .media ? String(validating: type, as: UTF8.self) : nil
    }

    /// The `domain:type` name of a TNF 4 record.
    public var externalType: String? {
        tnf == .external ? String(validating: type, as: UTF8.self) : nil
    }
}

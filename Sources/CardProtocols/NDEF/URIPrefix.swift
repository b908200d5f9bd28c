/// The URI identifier codes of the NFC Forum URI RTD (table 3): one byte stands for a common prefix.
enum URIPrefix {
    /// Index = identifier code, 0x00…0x23. Codes above are reserved.
    static let table: [String] = [
        "",
        "http://www.",
        "https://www.",
        "http://",
        "https://",
        "tel:",
        "mailto:",
        "ftp://anonymous:anonymous@",
        "ftp://ftp.",
        "ftps://",
        "sftp://",
        "smb://",
        "nfs://",
        "ftp://",
        "dav://",
        "news:",
        "telnet://",
        "imap:",
        "rtsp://",
        "urn:",
        "pop:",
        "sip:",
        "sips:",
        "tftp:",
        "btspp://",
        "btl2cap://",
        "btgoep://",
        "tcpobex://",
        "irdaobex://",
        "file://",
        "urn:epc:id:",
        "urn:epc:tag:",
        "urn:epc:pat:",
        "urn:epc:raw:",
        "urn:epc:",
        "urn:nfc:",
    ]

    /// The code of the longest prefix that starts `uri` (0 when none does) and the rest of the URI.
    static func abbreviate(_ uri: String) -> (code: UInt8, rest: String) {
        var best = (code: 0, length: 0)
        for (code, prefix) in table.enumerated() where prefix.utf8.count > best.length && uri.hasPrefix(prefix) {
            best = (code, prefix.utf8.count)
        }
        return (UInt8(best.code), String(decoding: uri.utf8.dropFirst(best.length), as: UTF8.self))
    }
}

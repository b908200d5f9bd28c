extension NDEFRecord {
    /// The encodings the text RTD allows, chosen by bit 7 of the status byte.
    public enum TextEncoding: Hashable, Sendable {
        case utf8
        /// Written big-endian without a byte-order mark; read with or without one.
        case utf16
    }

    /// A well-known `T` record.
    ///
    /// - Parameter languageCode: an IANA language tag such as `en` or `fr-CA`, ASCII, at most 63 bytes.
    /// - Throws: ``CardProtocolError/invalidValue`` for a language code that is not ASCII or longer than 63.
    public static func text(
        _ text: String, languageCode: String = "en", encoding: TextEncoding = .utf8
    ) throws(CardProtocolError) -> NDEFRecord {
        let language = Array(languageCode.utf8)
        guard language.count <= 63, language.allSatisfy({ $0 < 0x80 }) else {
            throw .invalidValue("text record language code \"\(languageCode)\" must be ASCII of at most 63 bytes")
        }
        var payload: [UInt8] = [UInt8(language.count) | (encoding == .utf16 ? 0x80 : 0)]
        payload += language
        switch encoding {
        case .utf8:
            payload += text.utf8
        case .utf16:
            for unit in text.utf16 {
                payload += [UInt8(unit >> 8), UInt8(unit & 0xFF)]
            }
        }
        return NDEFRecord(tnf: .wellKnown, type: [0x54], payload: payload)
    }

    /// The text and language of a well-known `T` record; `nil` for other records or undecodable text.
    public var text: (text: String, languageCode: String)? {
        guard tnf == .wellKnown, type == [0x54], let status = payload.first else { return nil }
        let languageLength = Int(status & 0x3F)
        guard status & 0x40 == 0, payload.count >= 1 + languageLength,
              let language = String(validating: payload[1..<1 + languageLength], as: UTF8.self)
        else { return nil }
        let body = payload[(1 + languageLength)...]
        if status & 0x80 == 0 {
            guard let text = String(validating: body, as: UTF8.self) else { return nil }
            return (text, language)
        }
        guard body.count % 2 == 0 else { return nil }
        var units: [UInt16] = []
        units.reserveCapacity(body.count / 2)
        var index = body.startIndex
        while index < body.endIndex {
            units.append(UInt16(body[index]) << 8 | UInt16(body[index + 1]))
            index += 2
        }
        // A byte-order mark decides the order; without one the text RTD says big-endian.
        if units.first == 0xFFFE {
            units = units.dropFirst().map { $0.byteSwapped }
        } else if units.first == 0xFEFF {
            units.removeFirst()
        }
        guard let text = String(validating: units, as: UTF16.self) else { return nil }
        return (text, language)
    }
}

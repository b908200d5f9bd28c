/// The URL a tag is programmed with, with placeholders where the tag writes its SUN mirrors.
///
/// Placeholders: `{picc}` (encrypted PICCData, 32 hex characters) or `{uid}` (14) and `{ctr}` (6)
/// for plain mirrors; `{file}` (encrypted file data, twice ``fileDataLength`` hex characters);
/// `{mac}` (16). For example `https://shop.example/t?picc_data={picc}&enc={file}&cmac={mac}`.
///
/// This is the shape of the tag's NDEF file with zeros at the mirror offsets, so the ``layout``
/// it derives uses fixed offsets, as the tag itself does. A card simulator renders it; a verifier
/// may use ``layout`` or any equivalent layout (for example by parameter name).
public struct SUNURLTemplate: Sendable, Hashable, Codable {
    public enum Placeholder: String, Sendable, Hashable, CaseIterable {
        case piccData = "picc"
        case uid = "uid"
        case counter = "ctr"
        case fileData = "file"
        case mac = "mac"
    }

    enum Segment: Sendable, Hashable {
        case literal([UInt8])
        case placeholder(Placeholder)
    }

    public let text: String
    public let macInputStart: SUNURLLayout.MACInputStart
    /// Bytes of plaintext file data the tag encrypts into `{file}`; 0 when there is none.
    public let fileDataLength: Int
    /// The offsets layout that reads this template's URLs back.
    public let layout: SUNURLLayout
    let segments: [Segment]

    /// - Parameters:
    ///   - text: The URL with placeholders; each placeholder at most once, `{mac}` exactly once.
    ///   - macInputStart: Where the MAC input begins; offsets count in the rendered URL.
    ///   - fileDataLength: Plaintext bytes behind `{file}`, a positive multiple of 16, or 0 without `{file}`.
    /// - Throws: ``CardProtocolError`` `.invalidValue` naming the inconsistency.
    public init(_ text: String, macInputStart: SUNURLLayout.MACInputStart, fileDataLength: Int = 0) throws {
        self.text = text
        self.macInputStart = macInputStart
        self.fileDataLength = fileDataLength
        segments = try Self.parse(Array(text.utf8))

        let placeholders = segments.compactMap { segment -> Placeholder? in
            if case .placeholder(let placeholder) = segment { placeholder } else { nil }
        }
        for placeholder in Placeholder.allCases where placeholders.filter({ $0 == placeholder }).count > 1 {
            throw CardProtocolError.invalidValue("SUN template: {\(placeholder.rawValue)} appears more than once")
        }
        let present = Set(placeholders)
        guard present.contains(.mac) else {
            throw CardProtocolError.invalidValue("SUN template: {mac} is missing")
        }
        let plain = present.contains(.uid) || present.contains(.counter)
        guard present.contains(.piccData) != plain, !plain || (present.contains(.uid) && present.contains(.counter))
        else {
            throw CardProtocolError.invalidValue("SUN template: needs either {picc} or both {uid} and {ctr}")
        }
        if present.contains(.fileData) {
            guard fileDataLength > 0, fileDataLength % 16 == 0, fileDataLength <= SUNURLLayout.maximumURLLength / 2
            else {
                throw CardProtocolError.invalidValue(
                    "SUN template: file data length \(fileDataLength) must be a positive multiple of 16 bytes")
            }
        } else if fileDataLength != 0 {
            throw CardProtocolError.invalidValue("SUN template: file data length \(fileDataLength) given without {file}")
        }

        var offsets: [Placeholder: Int] = [:]
        var position = 0
        for segment in segments {
            switch segment {
            case .literal(let bytes): position += bytes.count
            case .placeholder(let placeholder):
                offsets[placeholder] = position
                position += Self.width(of: placeholder, fileDataLength: fileDataLength)
            }
            guard position <= SUNURLLayout.maximumURLLength else {
                throw CardProtocolError.invalidValue(
                    "SUN template: the URL would exceed \(SUNURLLayout.maximumURLLength) characters")
            }
        }
        let picc: SUNURLLayout.PICCMirror =
            if let piccOffset = offsets[.piccData] {
                .encrypted(.offset(piccOffset))
            } else {
                .plain(uid: .offset(offsets[.uid] ?? 0), counter: .offset(offsets[.counter] ?? 0))
            }
        layout = try SUNURLLayout(
            picc: picc,
            fileData: offsets[.fileData].map {
                SUNURLLayout.FileDataMirror(location: .offset($0), hexLength: 2 * fileDataLength)
            },
            mac: .offset(offsets[.mac] ?? 0),
            macInputStart: macInputStart
        )
        // Reading a zero-filled rendering back checks the MAC input start and the file data coverage.
        var zeros: [Placeholder: String] = [:]
        for placeholder in present {
            zeros[placeholder] = String(repeating: "0", count: Self.width(of: placeholder, fileDataLength: fileDataLength))
        }
        do {
            _ = try layout.extract(from: render(zeros))
        } catch let error as CardProtocolError {
            throw CardProtocolError.invalidValue("SUN template: \(error.message)")
        }
    }

    /// Hex characters the tag writes for a placeholder.
    public func width(of placeholder: Placeholder) -> Int {
        Self.width(of: placeholder, fileDataLength: fileDataLength)
    }

    /// The URL with every placeholder replaced by its value.
    ///
    /// - Throws: ``CardProtocolError`` `.invalidValue` when a value is missing or of the wrong width.
    public func render(_ values: [Placeholder: String]) throws -> String {
        var bytes: [UInt8] = []
        for segment in segments {
            switch segment {
            case .literal(let literal):
                bytes += literal
            case .placeholder(let placeholder):
                guard let value = values[placeholder] else {
                    throw CardProtocolError.invalidValue("SUN template: no value for {\(placeholder.rawValue)}")
                }
                let valueBytes = Array(value.utf8)
                guard valueBytes.count == width(of: placeholder) else {
                    throw CardProtocolError.invalidValue(
                        "SUN template: {\(placeholder.rawValue)} needs \(width(of: placeholder)) characters, got \(valueBytes.count)")
                }
                bytes += valueBytes
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func width(of placeholder: Placeholder, fileDataLength: Int) -> Int {
        switch placeholder {
        case .piccData: SUNURLLayout.encryptedPICCHexLength
        case .uid: SUNURLLayout.uidHexLength
        case .counter: SUNURLLayout.counterHexLength
        case .fileData: 2 * fileDataLength
        case .mac: SUNURLLayout.macHexLength
        }
    }

    private static func parse(_ bytes: [UInt8]) throws -> [Segment] {
        guard bytes.count <= SUNURLLayout.maximumURLLength else {
            throw CardProtocolError.invalidValue(
                "SUN template: \(bytes.count) characters, more than \(SUNURLLayout.maximumURLLength)")
        }
        var segments: [Segment] = []
        var literal: [UInt8] = []
        var index = 0
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "{") else {
                literal.append(bytes[index])
                index += 1
                continue
            }
            guard let close = bytes[index...].firstIndex(of: UInt8(ascii: "}")) else {
                throw CardProtocolError.invalidValue("SUN template: '{' at offset \(index) is never closed")
            }
            let name = String(decoding: bytes[(index + 1)..<close], as: UTF8.self)
            guard let placeholder = Placeholder(rawValue: name) else {
                throw CardProtocolError.invalidValue(
                    "SUN template: unknown placeholder {\(name)}; use {picc}, {uid}, {ctr}, {file} or {mac}")
            }
            if !literal.isEmpty {
                segments.append(.literal(literal))
                literal = []
            }
            segments.append(.placeholder(placeholder))
            index = close + 1
        }
        if !literal.isEmpty {
            segments.append(.literal(literal))
        }
        return segments
    }

    private enum CodingKeys: String, CodingKey {
        case text, macInputStart, fileDataLength
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            container.decode(String.self, forKey: .text),
            macInputStart: container.decode(SUNURLLayout.MACInputStart.self, forKey: .macInputStart),
            fileDataLength: container.decodeIfPresent(Int.self, forKey: .fileDataLength) ?? 0
        )
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(text, forKey: .text)
        try container.encode(macInputStart, forKey: .macInputStart)
        try container.encode(fileDataLength, forKey: .fileDataLength)
    }
}

/// Where an NTAG 424 DNA tag writes its Secure Unique NFC (SUN) mirrors inside the URL it serves.
///
/// The layout is configuration: it mirrors what was programmed into the tag (ChangeFileSettings'
/// SDM offsets) or what the deployment's URL convention is. Each field is found either as the value
/// of a named query parameter (`picc_data`, `enc`, `cmac`; or a deployment's `e`, `c`, `m`) or at a
/// fixed offset counted in UTF-8 bytes from the start of the URL as read (after the NDEF URI prefix
/// is expanded; tag URLs are ASCII, so bytes and characters coincide).
///
/// The MAC covers the URL text from ``macInputStart`` up to the first character of the MAC, exactly
/// as the tag computes it (SDMMACInputOffset … SDMMACOffset). For `?picc_data=X&enc=Y&cmac=Z` with
/// the input starting at `Y`, that text is `Y&cmac=`; for `?picc_data=X&cmac=Z` starting at the MAC,
/// it is empty.
///
/// Validated on creation and on decoding, so an ``extract(from:)`` failure always means the URL, not
/// the configuration, is wrong.
public struct SUNURLLayout: Sendable, Hashable, Codable {
    /// Where one mirrored field sits.
    public enum Location: Sendable, Hashable, Codable {
        /// The value of the query parameter with this exact (case-sensitive) name.
        case parameter(String)
        /// A fixed offset in UTF-8 bytes from the first character of the URL.
        case offset(Int)
    }

    /// How the tag mirrors its identity and read counter.
    public enum PICCMirror: Sendable, Hashable, Codable {
        /// Encrypted PICCData: 32 hex characters (AES mode), decrypted with the SDM meta read key.
        case encrypted(Location)
        /// Plain mirrors: the UID as 14 hex characters and SDMReadCtr as 6 hex characters, most
        /// significant byte first (the tag's ASCII mirror order; the MAC uses it little-endian).
        case plain(uid: Location, counter: Location)
    }

    /// Where the encrypted file data (SDMENCFileData) sits.
    public struct FileDataMirror: Sendable, Hashable, Codable {
        public var location: Location
        /// Hex characters the tag writes (SDMENCLength), a positive multiple of 32. Required for an
        /// offset; optional for a parameter, where `nil` accepts any positive multiple of 32.
        public var hexLength: Int?

        public init(location: Location, hexLength: Int? = nil) {
            self.location = location
            self.hexLength = hexLength
        }
    }

    /// The mirrored fields, for naming where the MAC input starts.
    public enum Component: String, Sendable, Hashable, Codable, CustomStringConvertible {
        case piccData
        case uid
        case counter
        case fileData
        /// Starting the MAC input at the MAC itself makes the input empty.
        case mac

        public var description: String {
            switch self {
            case .piccData: "PICC data"
            case .uid: "UID mirror"
            case .counter: "counter mirror"
            case .fileData: "file data"
            case .mac: "MAC"
            }
        }
    }

    /// Where the text covered by the MAC begins (the tag's SDMMACInputOffset).
    public enum MACInputStart: Sendable, Hashable, Codable {
        /// At the first character of a mirrored field.
        case component(Component)
        /// At a fixed offset in UTF-8 bytes from the first character of the URL.
        case offset(Int)
    }

    public let picc: PICCMirror
    public let fileData: FileDataMirror?
    public let mac: Location
    public let macInputStart: MACInputStart

    /// - Throws: ``CardProtocolError`` `.invalidValue` when the configuration contradicts itself:
    ///   negative offsets, empty or repeated parameter names, a MAC input starting at a field the
    ///   layout does not have, a file data length that is not a positive multiple of 32.
    public init(picc: PICCMirror, fileData: FileDataMirror? = nil, mac: Location, macInputStart: MACInputStart) throws {
        self.picc = picc
        self.fileData = fileData
        self.mac = mac
        self.macInputStart = macInputStart
        try validate()
    }

    /// The common query-parameter layout: the MAC covers the file data and the text up to the MAC
    /// when file data is mirrored, and nothing otherwise (the tag's usual SDM configuration).
    ///
    /// `try SUNURLLayout.queryParameters(piccData: "picc_data", fileData: "enc", mac: "cmac")`
    public static func queryParameters(piccData: String, fileData: String? = nil, mac: String) throws -> Self {
        try Self(
            picc: .encrypted(.parameter(piccData)),
            fileData: fileData.map { FileDataMirror(location: .parameter($0)) },
            mac: .parameter(mac),
            macInputStart: .component(fileData == nil ? .mac : .fileData)
        )
    }

    private enum CodingKeys: String, CodingKey {
        case picc, fileData, mac, macInputStart
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            picc: container.decode(PICCMirror.self, forKey: .picc),
            fileData: container.decodeIfPresent(FileDataMirror.self, forKey: .fileData),
            mac: container.decode(Location.self, forKey: .mac),
            macInputStart: container.decode(MACInputStart.self, forKey: .macInputStart)
        )
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(picc, forKey: .picc)
        try container.encodeIfPresent(fileData, forKey: .fileData)
        try container.encode(mac, forKey: .mac)
        try container.encode(macInputStart, forKey: .macInputStart)
    }
}

extension SUNURLLayout {
    /// Hex characters of each fixed-width mirror.
    static let encryptedPICCHexLength = 32
    static let lrpPICCHexLength = 48
    static let uidHexLength = 14
    static let counterHexLength = 6
    static let macHexLength = 16
    static let fileDataBlockHexLength = 32
    /// The tag's NDEF file is at most 256 bytes; a far longer URL is not a tag's.
    public static let maximumURLLength = 2048

    /// Every location in the layout with the component it holds.
    var locatedComponents: [(component: Component, location: Location)] {
        var result: [(Component, Location)] = []
        switch picc {
        case .encrypted(let location):
            result.append((.piccData, location))
        case .plain(let uid, let counter):
            result.append((.uid, uid))
            result.append((.counter, counter))
        }
        if let fileData {
            result.append((.fileData, fileData.location))
        }
        result.append((.mac, mac))
        return result
    }

    private func validate() throws {
        var names: Set<String> = []
        for (component, location) in locatedComponents {
            switch location {
            case .parameter(let name):
                guard !name.isEmpty else {
                    throw CardProtocolError.invalidValue("SUN layout: the \(component) parameter name is empty")
                }
                guard names.insert(name).inserted else {
                    throw CardProtocolError.invalidValue("SUN layout: parameter name \(name) is used for two fields")
                }
            case .offset(let offset):
                guard (0...Self.maximumURLLength).contains(offset) else {
                    throw CardProtocolError.invalidValue(
                        "SUN layout: the \(component) offset \(offset) is outside 0...\(Self.maximumURLLength)")
                }
            }
        }
        if let fileData {
            if let hexLength = fileData.hexLength {
                guard hexLength > 0, hexLength % Self.fileDataBlockHexLength == 0,
                    hexLength <= Self.maximumURLLength
                else {
                    throw CardProtocolError.invalidValue(
                        "SUN layout: file data length \(hexLength) must be a positive multiple of 32 hex characters")
                }
            } else if case .offset = fileData.location {
                throw CardProtocolError.invalidValue("SUN layout: file data at a fixed offset needs its hex length")
            }
        }
        switch macInputStart {
        case .offset(let offset):
            guard (0...Self.maximumURLLength).contains(offset) else {
                throw CardProtocolError.invalidValue(
                    "SUN layout: the MAC input offset \(offset) is outside 0...\(Self.maximumURLLength)")
            }
        case .component(let component):
            guard locatedComponents.contains(where: { $0.component == component }) else {
                throw CardProtocolError.invalidValue(
                    "SUN layout: the MAC input starts at the \(component), which this layout does not mirror")
            }
        }
    }
}

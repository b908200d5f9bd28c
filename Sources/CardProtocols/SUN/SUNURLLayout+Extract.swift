extension SUNURLLayout {
    /// Finds and decodes the SUN mirrors of `url` and the text the MAC covers. Pure: nothing is
    /// decrypted or verified here.
    ///
    /// - Throws: ``CardProtocolError`` naming what is missing or malformed, for example
    ///   "parameter cmac missing", "picc_data must be 32 hex characters, got 30",
    ///   "parameter enc appears twice".
    public func extract(from url: String) throws -> SUNURLParts {
        let bytes = Array(url.utf8)
        guard bytes.count <= Self.maximumURLLength else {
            throw CardProtocolError.limitExceeded(
                "URL is \(bytes.count) bytes long; a SUN URL is at most \(Self.maximumURLLength)")
        }
        let query = try SUNQueryParameters(url: bytes, wanted: parameterNames)
        var fields = FieldFinder(url: bytes, query: query)

        let picc: SUNURLParts.PICC
        switch self.picc {
        case .encrypted(let location):
            let range = try fields.find(.piccData, at: location, hexLength: .piccData)
            picc = .encrypted(try fields.decodeHex(range, of: .piccData, at: location))
        case .plain(let uidLocation, let counterLocation):
            let uidRange = try fields.find(.uid, at: uidLocation, hexLength: .exactly(Self.uidHexLength))
            let counterRange = try fields.find(
                .counter, at: counterLocation, hexLength: .exactly(Self.counterHexLength))
            let uid = try fields.decodeHex(uidRange, of: .uid, at: uidLocation)
            let counterBytes = try fields.decodeHex(counterRange, of: .counter, at: counterLocation)
            // The mirror prints SDMReadCtr most significant byte first.
            let counter = counterBytes.reduce(UInt32(0)) { ($0 << 8) | UInt32($1) }
            picc = .plain(uid: uid, counter: counter)
        }

        var encryptedFileData: [UInt8]?
        var fileDataRange: Range<Int>?
        if let fileData {
            let hexLength: FieldFinder.HexLength =
                fileData.hexLength.map { .exactly($0) } ?? .blocks(Self.fileDataBlockHexLength)
            let range = try fields.find(.fileData, at: fileData.location, hexLength: hexLength)
            encryptedFileData = try fields.decodeHex(range, of: .fileData, at: fileData.location)
            fileDataRange = range
        }

        let macRange = try fields.find(.mac, at: mac, hexLength: .exactly(Self.macHexLength))
        let macBytes = try fields.decodeHex(macRange, of: .mac, at: mac)

        try fields.checkNoOverlap()

        let macInputLowerBound: Int
        switch macInputStart {
        case .offset(let offset):
            macInputLowerBound = offset
        case .component(let component):
            guard let range = fields.found[component] else {
                // Unreachable for a validated layout; kept so a future component cannot crash here.
                throw CardProtocolError.malformed("the MAC input starts at the \(component), which was not found")
            }
            macInputLowerBound = range.lowerBound
        }
        guard macInputLowerBound <= macRange.lowerBound else {
            throw CardProtocolError.malformed(
                "the MAC input would start at offset \(macInputLowerBound), after the MAC at offset \(macRange.lowerBound)")
        }
        if let fileDataRange {
            guard fileDataRange.lowerBound >= macInputLowerBound, fileDataRange.upperBound <= macRange.lowerBound else {
                throw CardProtocolError.malformed(
                    "the \(name(of: .fileData)) lies outside the MAC input, so the MAC would not protect it")
            }
        }

        return SUNURLParts(
            picc: picc,
            encryptedFileData: encryptedFileData,
            mac: macBytes,
            macInput: Array(bytes[macInputLowerBound..<macRange.lowerBound])
        )
    }

    private var parameterNames: Set<String> {
        var names: Set<String> = []
        for (_, location) in locatedComponents {
            if case .parameter(let name) = location {
                names.insert(name)
            }
        }
        return names
    }

    /// How error messages name a field: by its parameter when it has one.
    func name(of component: Component) -> String {
        guard let location = locatedComponents.first(where: { $0.component == component })?.location else {
            return "\(component)"
        }
        return FieldFinder.name(of: component, at: location)
    }
}

/// Locates fields in the URL bytes and remembers where each was found.
private struct FieldFinder {
    enum HexLength {
        /// PICC data: 32 characters, with a clear message for the unsupported LRP length.
        case piccData
        case exactly(Int)
        /// Any positive multiple of this many characters.
        case blocks(Int)
    }

    let url: [UInt8]
    let query: SUNQueryParameters
    private(set) var found: [SUNURLLayout.Component: Range<Int>] = [:]

    init(url: [UInt8], query: SUNQueryParameters) {
        self.url = url
        self.query = query
    }

    static func name(of component: SUNURLLayout.Component, at location: SUNURLLayout.Location) -> String {
        switch location {
        case .parameter(let name): name
        case .offset(let offset): "\(component) at offset \(offset)"
        }
    }

    mutating func find(
        _ component: SUNURLLayout.Component, at location: SUNURLLayout.Location, hexLength: HexLength
    ) throws -> Range<Int> {
        let name = Self.name(of: component, at: location)
        let range: Range<Int>
        switch location {
        case .parameter(let parameter):
            guard let valueRange = query.valueRanges[parameter] else {
                throw CardProtocolError.malformed("parameter \(parameter) missing")
            }
            try Self.check(length: valueRange.count, of: name, against: hexLength)
            range = valueRange
        case .offset(let offset):
            let width: Int
            switch hexLength {
            case .piccData: width = SUNURLLayout.encryptedPICCHexLength
            case .exactly(let count): width = count
            case .blocks(let count): width = count
            }
            guard offset <= url.count, width <= url.count - offset else {
                throw CardProtocolError.truncated(
                    "\(name) expected at characters \(offset)..<\(offset + width) but the URL has only \(url.count)")
            }
            range = offset..<(offset + width)
        }
        found[component] = range
        return range
    }

    private static func check(length: Int, of name: String, against expected: HexLength) throws {
        switch expected {
        case .piccData:
            if length == SUNURLLayout.lrpPICCHexLength {
                throw CardProtocolError.unsupported(
                    "\(name) is 48 hex characters: LRP mode, which is not supported (AES mode uses 32)")
            }
            guard length == SUNURLLayout.encryptedPICCHexLength else {
                throw CardProtocolError.invalidValue(
                    "\(name) must be \(SUNURLLayout.encryptedPICCHexLength) hex characters, got \(length)")
            }
        case .exactly(let count):
            guard length == count else {
                throw CardProtocolError.invalidValue("\(name) must be \(count) hex characters, got \(length)")
            }
        case .blocks(let count):
            guard length > 0, length % count == 0 else {
                throw CardProtocolError.invalidValue(
                    "\(name) must be a positive multiple of \(count) hex characters, got \(length)")
            }
        }
    }

    func decodeHex(
        _ range: Range<Int>, of component: SUNURLLayout.Component, at location: SUNURLLayout.Location
    ) throws -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(range.count / 2)
        var index = range.lowerBound
        while index + 1 < range.upperBound {
            guard let high = Self.nibble(url[index]), let low = Self.nibble(url[index + 1]) else {
                let bad = Self.nibble(url[index]) == nil ? index : index + 1
                let hexByte = String(url[bad], radix: 16, uppercase: true)
                throw CardProtocolError.invalidValue(
                    "\(Self.name(of: component, at: location)) must be hex, found byte 0x\(hexByte) at offset \(bad)")
            }
            result.append(high << 4 | low)
            index += 2
        }
        return result
    }

    private static func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: nil
        }
    }

    /// Fixed offsets can be configured on top of each other; parameters cannot.
    func checkNoOverlap() throws {
        let sorted = found.sorted { $0.value.lowerBound < $1.value.lowerBound }
        for (first, second) in zip(sorted, sorted.dropFirst()) where first.value.upperBound > second.value.lowerBound {
            throw CardProtocolError.malformed("the \(first.key) and the \(second.key) overlap in the URL")
        }
    }
}

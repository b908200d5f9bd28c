/// An NDEF message: one or more ``NDEFRecord``s, the first flagged MB and the last ME.
public struct NDEFMessage: Hashable, Sendable {
    public var records: [NDEFRecord]

    public init(records: [NDEFRecord]) {
        self.records = records
    }

    /// The conventional empty message: a single empty record, `D0 00 00`.
    public static let empty = NDEFMessage(records: [.empty])

    /// Parses a complete message; the bytes must end with the ME record.
    ///
    /// - Throws: ``CardProtocolError/truncated`` when a header or field runs past the end,
    ///   ``CardProtocolError/malformed`` for MB/ME flags in the wrong places,
    ///   ``CardProtocolError/unsupported`` for chunked records (CF),
    ///   ``CardProtocolError/invalidValue`` for lengths the TNF forbids,
    ///   ``CardProtocolError/lengthMismatch`` for bytes after the ME record.
    public init(parsing bytes: [UInt8]) throws(CardProtocolError) {
        guard !bytes.isEmpty else {
            throw .truncated("an NDEF message needs at least one 3-byte record header, got 0 bytes")
        }
        var reader = ByteReader(bytes)
        var records: [NDEFRecord] = []
        var sawEnd = false
        while !sawEnd {
            let index = records.count
            guard !reader.isAtEnd else {
                throw .truncated("NDEF message ends after \(index) records without a record flagged ME")
            }
            let start = reader.offset
            let header = try reader.readByte("NDEF record \(index) header")
            let isBegin = header & 0x80 != 0
            sawEnd = header & 0x40 != 0
            let isChunked = header & 0x20 != 0
            let isShort = header & 0x10 != 0
            let hasIDLength = header & 0x08 != 0
            guard let tnf = NDEFRecord.TypeNameFormat(rawValue: header & 0x07) else {
                throw .invalidValue("NDEF record \(index) has an impossible TNF")  // 3 bits always map
            }
            guard isBegin == (index == 0) else {
                throw .malformed(
                    index == 0
                        ? "first NDEF record (header \(hexString(header))) lacks the MB flag"
                        : "NDEF record \(index) at offset \(start) sets MB, only the first record may")
            }
            guard !isChunked else {
                throw .unsupported(
                    "NDEF record \(index) at offset \(start) is chunked (CF flag); chunked records are not supported")
            }
            let typeLength = Int(try reader.readByte("NDEF record \(index) TYPE_LENGTH"))
            let payloadLength: Int
            if isShort {
                payloadLength = Int(try reader.readByte("NDEF record \(index) PAYLOAD_LENGTH"))
            } else {
                let length = try reader.read(4, "NDEF record \(index) 4-byte PAYLOAD_LENGTH")
                payloadLength = length.reduce(0) { $0 << 8 | Int($1) }
            }
            let idLength = hasIDLength ? Int(try reader.readByte("NDEF record \(index) ID_LENGTH")) : 0
            let type = try reader.read(typeLength, "NDEF record \(index) type")
            let id = try reader.read(idLength, "NDEF record \(index) id")
            let payload = try reader.read(payloadLength, "NDEF record \(index) payload")
            let record = NDEFRecord(tnf: tnf, type: type, id: id, payload: payload)
            do {
                try record.validate()
            } catch {
                throw CardProtocolError(error.code, "NDEF record \(index) at offset \(start): \(error.message)")
            }
            records.append(record)
        }
        guard reader.isAtEnd else {
            throw .lengthMismatch(
                "NDEF message has \(reader.remainingCount) bytes after the record flagged ME (record \(records.count - 1))")
        }
        self.records = records
    }

    /// Encodes the records, short (SR) whenever the payload has at most 255 bytes.
    ///
    /// - Throws: ``CardProtocolError/invalidValue`` for an empty record list or a record the NDEF rules
    ///   forbid, ``CardProtocolError/limitExceeded`` for oversized fields.
    public func serialized() throws(CardProtocolError) -> [UInt8] {
        guard !records.isEmpty else {
            throw .invalidValue("an NDEF message needs at least one record; use NDEFMessage.empty for an empty one")
        }
        var bytes: [UInt8] = []
        for (index, record) in records.enumerated() {
            do {
                try record.validate()
            } catch {
                throw CardProtocolError(error.code, "NDEF record \(index): \(error.message)")
            }
            let isShort = record.payload.count <= 255
            var header = record.tnf.rawValue
            if index == 0 { header |= 0x80 }
            if index == records.count - 1 { header |= 0x40 }
            if isShort { header |= 0x10 }
            if !record.id.isEmpty { header |= 0x08 }
            bytes.append(header)
            bytes.append(UInt8(record.type.count))
            let length = record.payload.count
            if isShort {
                bytes.append(UInt8(length))
            } else {
                bytes += [UInt8(length >> 24 & 0xFF), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)]
            }
            if !record.id.isEmpty { bytes.append(UInt8(record.id.count)) }
            bytes += record.type
            bytes += record.id
            bytes += record.payload
        }
        return bytes
    }
}

/// NFC Forum Type 2 tags read through a PC/SC reader (`FF B0 00 page 10` returns 4 pages).
public enum Type2Tag {
    public static let bytesPerPage = 4
    /// Bytes a PC/SC READ BINARY returns from a Type 2 tag: the tag's READ command gives 4 pages.
    public static let bytesPerRead = 16
    public static let capabilityContainerPage: UInt8 = 3
    public static let firstDataPage: UInt8 = 4

    /// The first read of a reader: pages 3–6, the CC and the first 12 bytes of the data area.
    public static let firstRead = CommandAPDU.readBinaryPCSC(page: capabilityContainerPage, length: 16)
}

extension Type2Tag {
    /// The start pages of the further 16-byte reads needed to hold the NDEF TLV, given the data area
    /// bytes read so far (from page 4, a whole number of pages). Empty when `dataAreaPrefix` is enough;
    /// then `Type2TagMemory(parsing: dataAreaPrefix)` succeeds.
    ///
    /// When a TLV header is itself cut, only the reads to complete it are returned: call again after them.
    ///
    /// - Throws: ``CardProtocolError/lengthMismatch`` when a TLV declares more than the data area holds,
    ///   ``CardProtocolError/invalidValue`` for a prefix that is not whole pages,
    ///   ``CardProtocolError/unsupported`` for reads past page 255 (that needs SECTOR SELECT).
    public static func pagesToRead(dataAreaPrefix: [UInt8], dataAreaSize: Int) throws(CardProtocolError) -> [UInt8] {
        guard dataAreaPrefix.count % bytesPerPage == 0 else {
            throw .invalidValue("data area prefix of \(dataAreaPrefix.count) bytes is not a whole number of pages")
        }
        let isComplete = dataAreaPrefix.count >= dataAreaSize
        switch try Type2TagMemory.scan(dataAreaPrefix, isComplete: isComplete) {
        case .parsed:
            return []
        case .needsBytes(let count, let reason):
            guard count <= dataAreaSize else {
                throw .lengthMismatch("\(reason); the data area has \(dataAreaSize) bytes")
            }
            var pages: [UInt8] = []
            var covered = dataAreaPrefix.count
            while covered < count {
                let page = Int(firstDataPage) + covered / bytesPerPage
                guard page <= 255 else {
                    throw .unsupported("reading page \(page) needs SECTOR SELECT, which is not supported")
                }
                pages.append(UInt8(page))
                covered += bytesPerRead
            }
            return pages
        }
    }

    /// What a reader learns from a Type 2 tag.
    public struct Contents: Hashable, Sendable {
        public let capabilityContainer: Type2CapabilityContainer
        public let memory: Type2TagMemory
        /// The READ BINARY commands sent, for diagnostics and tests.
        public let readCount: Int
    }

    /// Reads the CC and the TLVs up to the NDEF message with as few 16-byte reads as possible.
    ///
    /// Pure logic over `transmit`, like ``APDUExchange/run(_:maximumResponseBytes:maximumGetResponses:isolation:transmit:)``.
    /// - Throws: ``CardProtocolError/unexpectedStatus`` for a non-`9000` read,
    ///   ``CardProtocolError/truncated`` for a read shorter than 16 bytes, the CC and TLV errors, and
    ///   ``CardProtocolError/unsupported`` when the CC denies read access.
    public static func readContents(
        isolation: isolated (any Actor)? = #isolation,
        transmit: (CommandAPDU) async throws -> ResponseAPDU
    ) async throws -> Contents {
        let first = try await transmit(firstRead).successData(of: "READ BINARY of page 3")
        guard first.count >= bytesPerRead else {
            throw CardProtocolError.truncated("READ BINARY of page 3 returned \(first.count) bytes, expected 16")
        }
        let capabilityContainer = try Type2CapabilityContainer(parsing: Array(first[0..<4]))
        guard capabilityContainer.isReadable else {
            throw CardProtocolError.unsupported(
                "Type 2 capability container denies read access (access byte \(hexString(capabilityContainer.accessByte)))")
        }
        let size = capabilityContainer.dataAreaSize
        var dataArea = Array(first[4..<bytesPerRead].prefix(size))
        var reads = 1
        // Each round adds 16 bytes and the planner never asks past the data area, so this ends.
        while true {
            let pages = try pagesToRead(dataAreaPrefix: dataArea, dataAreaSize: size)
            if pages.isEmpty { break }
            for page in pages {
                let data = try await transmit(.readBinaryPCSC(page: page)).successData(of: "READ BINARY of page \(page)")
                guard data.count >= bytesPerRead else {
                    throw CardProtocolError.truncated("READ BINARY of page \(page) returned \(data.count) bytes, expected 16")
                }
                dataArea += data.prefix(bytesPerRead)
                reads += 1
            }
            dataArea = Array(dataArea.prefix(size))
        }
        return Contents(
            capabilityContainer: capabilityContainer, memory: try Type2TagMemory(parsing: dataArea), readCount: reads)
    }
}

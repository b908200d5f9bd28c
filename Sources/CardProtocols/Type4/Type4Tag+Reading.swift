extension Type4Tag {
    /// What a reader learns from a Type 4 tag.
    public struct Contents: Hashable, Sendable {
        public let capabilityContainer: Type4CapabilityContainer
        /// The NDEF message bytes, `nil` when NLEN is 0.
        public let ndefMessage: [UInt8]?
        /// Commands sent, for diagnostics and tests.
        public let commandCount: Int
    }

    /// Runs the whole read: SELECT application, SELECT and READ the CC, SELECT the NDEF file, read the
    /// length field and then the message in chunks.
    ///
    /// Pure logic over `transmit`; wrap `transmit` in ``APDUExchange/run(_:maximumResponseBytes:maximumGetResponses:isolation:transmit:)``
    /// when the reader does not handle `61xx`/`6Cxx` itself.
    /// - Throws: ``CardProtocolError/unexpectedStatus`` for any non-`9000` answer (for example `6A82`
    ///   when the card has no NDEF application), ``CardProtocolError/truncated`` or
    ///   ``CardProtocolError/lengthMismatch`` for a READ BINARY answer that is not the length asked for,
    ///   ``CardProtocolError/unsupported`` when the CC denies reading, and the CC and length errors.
    public static func readContents(
        maximumReadLength: Int = defaultMaximumReadLength,
        isolation: isolated (any Actor)? = #isolation,
        transmit: (CommandAPDU) async throws -> ResponseAPDU
    ) async throws -> Contents {
        var count = 0
        func send(_ command: CommandAPDU, _ operation: String) async throws -> [UInt8] {
            count += 1
            let data = try await transmit(command).successData(of: operation)
            if let expected = command.expectedLength, command.ins == 0xB0, data.count != expected {
                throw data.count < expected
                    ? CardProtocolError.truncated("\(operation) returned \(data.count) bytes, asked for \(expected)")
                    : CardProtocolError.lengthMismatch("\(operation) returned \(data.count) bytes, asked for \(expected)")
            }
            return data
        }

        _ = try await send(selectApplication, "SELECT NDEF application")
        _ = try await send(selectCapabilityContainer, "SELECT capability container E103")
        var ccBytes = try await send(readCapabilityContainer, "READ BINARY of the capability container")
        if let remainder = capabilityContainerRemainderRead(firstBytes: ccBytes) {
            ccBytes += try await send(remainder, "READ BINARY of the rest of the capability container")
        }
        let capabilityContainer = try Type4CapabilityContainer(parsing: ccBytes)
        guard capabilityContainer.ndefFile.isReadable else {
            throw CardProtocolError.unsupported(
                "NDEF file read access is \(hexString(capabilityContainer.ndefFile.readAccess)), not granted (00)")
        }
        let fileID = capabilityContainer.ndefFile.fileID
        _ = try await send(.selectFile(id: fileID), "SELECT NDEF file \(hexString(fileID))")
        let lengthBytes = try await send(lengthRead(for: capabilityContainer), "READ BINARY of the NDEF length")
        let messageLength = try messageLength(parsing: lengthBytes, for: capabilityContainer)
        // Planned before anything is reserved: the planner refuses offsets past 7FFF, which bounds the size.
        let reads = try messageReads(messageLength: messageLength, for: capabilityContainer, maximumReadLength: maximumReadLength)
        var message: [UInt8] = []
        message.reserveCapacity(messageLength)
        for command in reads {
            message += try await send(command, "READ BINARY at offset \(Int(command.p1) << 8 | Int(command.p2))")
        }
        return Contents(
            capabilityContainer: capabilityContainer, ndefMessage: messageLength == 0 ? nil : message, commandCount: count)
    }
}

import CardProtocols

extension NTAGTag {
    /// A tag written with an NDEF message, as a phone or an issuing station leaves it.
    ///
    /// The message goes in an NDEF TLV followed by a terminator (``Type2TagMemory/dataArea(forNDEF:capacity:)``).
    /// An NTAG213 keeps its factory Lock Control TLV in front, as NDEF writers that append after
    /// existing control TLVs leave it.
    /// - Parameter readOnly: then made read-only (CC access `0F` and every lock bit).
    /// - Throws: ``CardSimulatorError/Code-swift.struct/ndefTooLarge`` when the message does not fit
    ///   the data area the CC declares, ``CardSimulatorError/Code-swift.struct/invalidArgument`` for a
    ///   message NDEF cannot encode.
    public convenience init(
        model: NTAGModel, uid: TagUID = .sample, ndef message: NDEFMessage, readOnly: Bool = false, dataAreaSize: Int? = nil
    ) throws(CardSimulatorError) {
        try self.init(
            model: model, uid: uid, userData: Self.dataArea(for: message, model: model, dataAreaSize: dataAreaSize),
            dataAreaSize: dataAreaSize)
        if readOnly { makeReadOnly() }
    }

    /// The user-memory bytes that hold `message` on `model`, whose CC declares `dataAreaSize`
    /// (the model's own when `nil`).
    public static func dataArea(
        for message: NDEFMessage, model: NTAGModel, dataAreaSize: Int? = nil
    ) throws(CardSimulatorError) -> [UInt8] {
        let encoded: [UInt8]
        do {
            encoded = try message.serialized()
        } catch {
            throw CardSimulatorError(.invalidArgument, "the NDEF message cannot be encoded: \(error.message)")
        }
        let prefix = model == .ntag213 ? Array(model.factoryUserData.prefix(5)) : []
        let declared = Int(try NTAGTag.capabilityContainerSize(model: model, dataAreaSize: dataAreaSize)) * 8
        let capacity = declared - prefix.count
        do {
            return try prefix + Type2TagMemory.dataArea(forNDEF: encoded, capacity: capacity)
        } catch {
            let needed = encoded.count + (encoded.count < 0xFF ? 2 : 4)
            throw CardSimulatorError(
                .ndefTooLarge,
                "the NDEF message is \(encoded.count) bytes (\(needed) with its TLV); an \(model) has room for \(capacity)")
        }
    }

    /// The NDEF message the tag holds now, read the way a reader would: CC, then the TLVs of the data area.
    /// `nil` for a tag without a CC, without an NDEF TLV, or with an empty one.
    /// - Throws: ``CardSimulatorError/Code-swift.struct/invalidArgument`` when the memory holds
    ///   malformed TLVs or NDEF.
    public func ndefMessage() throws(CardSimulatorError) -> NDEFMessage? {
        guard let capabilityContainer = page(3),
            let container = try? Type2CapabilityContainer(parsing: capabilityContainer)
        else { return nil }
        let dataArea = Array(userMemory.prefix(container.dataAreaSize))
        do {
            let memory = try Type2TagMemory(parsing: dataArea)
            guard let bytes = memory.ndefMessage else { return nil }
            return try NDEFMessage(parsing: bytes)
        } catch {
            throw CardSimulatorError(.invalidArgument, "the tag's data area does not hold valid NDEF: \(error.message)")
        }
    }
}

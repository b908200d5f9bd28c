extension VirtualReader {
    /// Inserts `card` into this reader's field; it stays until its `removal` policy says otherwise
    /// or ``CardInField/remove()`` is called.
    public func insert(
        _ card: any VirtualCard, removal: RemovalPolicy = .onRequest, observer: (@Sendable (FieldEvent) -> Void)? = nil
    ) async throws(CardSimulatorError) -> CardInField {
        try await CardInField.insert(card, into: self, removal: removal, observer: observer)
    }

    /// A whole tap: inserts `card`, lets it answer until `removal` takes it out, and reports what happened.
    ///
    /// Cancelling the calling task pulls the card out at once; the report is still returned.
    /// pcscd notices a card about 0–400 ms after it arrives: a tap shorter than ~0.5 s may go unseen.
    public func tap(
        _ card: any VirtualCard, removal: RemovalPolicy, observer: (@Sendable (FieldEvent) -> Void)? = nil
    ) async throws(CardSimulatorError) -> TapReport {
        let field = try await insert(card, removal: removal, observer: observer)
        return await withTaskCancellationHandler {
            await field.waitUntilRemoved()
        } onCancel: {
            field.requestRemoval()
        }
    }

    /// A tap that leaves after a fixed `dwell`.
    public func tap(
        _ card: any VirtualCard, dwell: Duration, observer: (@Sendable (FieldEvent) -> Void)? = nil
    ) async throws(CardSimulatorError) -> TapReport {
        try await tap(card, removal: .afterDwell(dwell), observer: observer)
    }
}

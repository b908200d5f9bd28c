import ReaderService
import StoreCore

extension StoreCore.TapIdentifiers {
    /// What the reader service proved on `tap`, as the store keeps it. The masked PAN and the scheme are
    /// display-only and stay behind: the store links taps by token and PAR, never by anything derived from the
    /// card number's digits.
    ///
    /// Takes the whole tap rather than its identifiers: the reader layer's `TapIdentifiers` cannot be named from
    /// here, because `ReaderService.TapIdentifiers` finds the class `ReaderService`, not the module.
    public init(provedBy tap: TapResult) {
        let found = tap.identifiers
        self.init(
            cardUID: found.cardUID, loyaltyCard: found.loyaltyCard,
            sunTag: found.sunTag.map { SUNTagReading(uid: $0.uid, counter: $0.counter) },
            appDevice: found.appDevice, paymentToken: found.paymentToken,
            paymentAccountReference: found.paymentAccountReference)
    }
}

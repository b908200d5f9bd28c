import Foundation

/// A SUN message that the card security layer verified: the tag's UID and the read counter it signed.
public struct SUNTagReading: Sendable, Hashable, Codable {
    public var uid: String
    /// NTAG 424 DNA's SDM read counter (24 bits); it must grow from one accepted tap to the next.
    public var counter: UInt32

    public init(uid: String, counter: UInt32) {
        self.uid = uid
        self.counter = counter
    }
}

/// What one tap showed, as plain values: the reader and card layers have already checked every cryptographic
/// proof, and payment data arrives already reduced to non-sensitive forms (a token or PAR, never a PAN).
public struct TapIdentifiers: Sendable, Hashable {
    public var cardUID: String?
    public var loyaltyCard: String?
    public var sunTag: SUNTagReading?
    public var appDevice: String?
    public var paymentToken: String?
    public var paymentAccountReference: String?

    public init(cardUID: String? = nil, loyaltyCard: String? = nil, sunTag: SUNTagReading? = nil,
                appDevice: String? = nil, paymentToken: String? = nil, paymentAccountReference: String? = nil) {
        self.cardUID = cardUID
        self.loyaltyCard = loyaltyCard
        self.sunTag = sunTag
        self.appDevice = appDevice
        self.paymentToken = paymentToken
        self.paymentAccountReference = paymentAccountReference
    }

    public var isEmpty: Bool { presented.isEmpty }

    var presented: [(kind: IdentifierKind, value: String)] {
        var list: [(IdentifierKind, String)] = []
        if let sunTag { list.append((.sunTag, sunTag.uid)) }
        if let appDevice { list.append((.appDevice, appDevice)) }
        if let loyaltyCard { list.append((.loyaltyCard, loyaltyCard)) }
        if let paymentAccountReference { list.append((.paymentAccountReference, paymentAccountReference)) }
        if let paymentToken { list.append((.paymentToken, paymentToken)) }
        if let cardUID { list.append((.cardUID, cardUID)) }
        return list.map { (kind: $0.0, value: $0.1) }
    }

    /// The presented identifiers, validated and normalized, strongest first.
    func normalized() throws -> [(kind: IdentifierKind, value: String)] {
        try presented.map { (kind: $0.kind, value: try IdentifierValue.normalized($0.value, kind: $0.kind)) }
            .sorted { $0.kind.strength > $1.kind.strength }
    }
}

/// One tap at a reader, as the reader service hands it to the store.
public struct Tap: Sendable, Hashable {
    public var identifiers: TapIdentifiers
    /// The kiosk or till the reader belongs to.
    public var deviceId: String
    /// The PC/SC reader name.
    public var reader: String
    public var at: Date

    public init(identifiers: TapIdentifiers, deviceId: String, reader: String, at: Date = Date()) {
        self.identifiers = identifiers
        self.deviceId = deviceId
        self.reader = reader
        self.at = at
    }
}

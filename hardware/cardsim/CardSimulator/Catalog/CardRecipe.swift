import CardProtocols
import CardSecurity

/// Everything needed to build one simulated card, as the command line describes it.
///
/// Kept in the library, not the executable, so tests and the rig build exactly the cards the CLI
/// builds. Only the options of the recipe's ``kind`` are used; the CLI refuses the others.
public struct CardRecipe: Sendable {
    public var kind: SimulatedCardKind
    /// The UID: 7 bytes for NTAG kinds, 4, 7 or 10 for the others; `nil` for each kind's default.
    public var uid: [UInt8]?
    public var type2 = Type2Options()
    public var sun = SUNOptions()
    public var payment = PaymentOptions()
    public var hostile = HostileOptions()
    public var app = AppOptions()

    public init(kind: SimulatedCardKind, uid: [UInt8]? = nil) {
        self.kind = kind
        self.uid = uid
    }

    /// Builds a fresh card.
    /// - Throws: ``CardSimulatorError`` when the options contradict each other or the content does not fit.
    public func makeCard() throws(CardSimulatorError) -> any VirtualCard {
        switch kind {
        case .ntag213, .ntag215, .ntag216:
            return try makeNTAG(model: kind.ntagModel ?? .ntag215)
        case .ntag424:
            return try makeNTAG424()
        case .visa:
            return try makePaymentCard(.visa)
        case .mastercard:
            return try makePaymentCard(.mastercard)
        case .hostile:
            return try HostileCard(mode: hostile.mode, uid: uid ?? [0x08, 0x0B, 0xAD, 0x01], delay: hostile.delay, seed: hostile.seed)
        case .app:
            return try makeCompanionApp()
        }
    }

    private var tagUID: TagUID {
        get throws(CardSimulatorError) { try uid.map { bytes throws(CardSimulatorError) in try TagUID(bytes) } ?? .sample }
    }

    private func makeNTAG(model: NTAGModel) throws(CardSimulatorError) -> NTAGTag {
        let message = try type2.ndefMessage()
        if type2.blank && message != nil {
            throw CardSimulatorError(.invalidArgument, "a blank tag has no NDEF message: drop --blank or the --ndef options")
        }
        let uid = try tagUID
        if let message {
            return try NTAGTag(model: model, uid: uid, ndef: message, readOnly: type2.locked, dataAreaSize: type2.dataAreaSize)
        }
        let tag = try NTAGTag(model: model, uid: uid, dataAreaSize: type2.dataAreaSize)
        if type2.locked { tag.makeReadOnly() }
        return tag
    }

    private func makeNTAG424() throws(CardSimulatorError) -> NTAG424Tag {
        let template: SUNURLTemplate
        let fileData = sun.fileData.map { Array($0.utf8) }
        let macInputStart = sun.macInputStart ?? (sun.template.contains("{file}") ? .component(.fileData) : .component(.mac))
        do {
            template = try SUNURLTemplate(sun.template, macInputStart: macInputStart, fileDataLength: fileData?.count ?? 0)
        } catch {
            throw CardSimulatorError(.invalidArgument, "bad SUN URL template '\(sun.template)': \(error)")
        }
        let keys: SUNKeys
        if let systemIdentifier = sun.systemIdentifier {
            keys = try .diversified(
                masterMetaKeyBytes: sun.metaReadKey, masterFileKeyBytes: sun.fileReadKey, systemIdentifier: systemIdentifier)
        } else {
            keys = try .fixed(metaReadKeyBytes: sun.metaReadKey, fileReadKeyBytes: sun.fileReadKey)
        }
        return try NTAG424Tag(uid: tagUID, keys: keys, template: template, readCounter: sun.readCounter, fileData: fileData)
    }

    private func makePaymentCard(_ scheme: PaymentCardProfile.Scheme) throws(CardSimulatorError) -> EMVCard {
        let base = PaymentCardProfile.testCard(scheme)
        let pan = try payment.pan.map { text throws(CardSimulatorError) in try PrimaryAccountNumber(text) } ?? base.pan
        var expiry = (year: base.expiryYear, month: base.expiryMonth)
        if let text = payment.expiry {
            let digits = Array(text.utf8)
            guard digits.count == 4, digits.allSatisfy({ (0x30...0x39).contains($0) }),
                let year = Int(text.prefix(2)), let month = Int(text.suffix(2))
            else {
                throw CardSimulatorError(.invalidArgument, "expiry is YYMM, e.g. 2812; got '\(text)'")
            }
            expiry = (year, month)
        }
        let par: String? = payment.omitPaymentAccountReference ? nil : (payment.paymentAccountReference ?? base.paymentAccountReference)
        let profile = try PaymentCardProfile(
            scheme: scheme, pan: pan, expiryYear: expiry.year, expiryMonth: expiry.month,
            cardholderName: payment.cardholderName ?? base.cardholderName, paymentAccountReference: par,
            uid: uid ?? base.uid)
        return try EMVCard(profile: profile)
    }

    private func makeCompanionApp() throws(CardSimulatorError) -> CompanionAppCard {
        let responder = try app.makeResponder()
        return try CompanionAppCard(responder: responder, uid: uid)
    }
}

/// Where a profile or a consent change came from.
public enum RecordOrigin: String, Codable, Sendable, CaseIterable {
    case kiosk, till, `import`, headOffice
}

/// Why the points balance moved. Stored in `ledgerEntry.reason`.
public enum LedgerReason: String, Codable, Sendable, CaseIterable {
    case purchase, refund, visitBonus, signUpBonus, redemption, expiry, adjustment

    /// Movements that count towards the rolling tier total (what was earned, net of returned goods).
    public var countsTowardsTier: Bool {
        switch self {
        case .purchase, .refund, .visitBonus, .signUpBonus: true
        case .redemption, .expiry, .adjustment: false
        }
    }
}

/// What a person may consent to. Each purpose is asked and recorded separately; none is ever pre-granted.
public enum ConsentPurpose: String, Codable, Sendable, CaseIterable {
    case marketingEmail, marketingSMS, profiling
}

public enum DeviceKind: String, Codable, Sendable, CaseIterable {
    case kiosk, till
}

public enum StaffRole: String, Codable, Sendable, CaseIterable {
    case staff, manager
}

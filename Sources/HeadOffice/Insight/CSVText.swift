import Foundation

/// RFC 4180 CSV for downloads: every field that needs it quoted, CRLF line ends. A field a spreadsheet would run
/// as a formula (=, +, -, @ first) gets a leading apostrophe, so an exported comment cannot become a formula.
public enum CSVText {
    public static func line(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",") + "\r\n"
    }

    static func field(_ value: String) -> String {
        var value = value
        if let first = value.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first), Double(value) == nil {
            value = "'" + value
        }
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

extension StoreReport {
    /// One line per bucket and a "total" line; the columns follow the JSON figures, flattened.
    public var csv: String {
        let kinds = Set(buckets.flatMap(\.tapsByKind.keys)).union(total.tapsByKind.keys).sorted()
        let header = ["row", "start", "end", "visits", "unique_customers", "identified_visits", "identified_share",
                      "unknown_visits", "converted_visits", "conversion", "sign_ups", "kiosk_sign_ups",
                      "nps_responses", "nps_promoters", "nps_passives", "nps_detractors", "nps_score",
                      "repeat_customers", "repeat_rate", "omnichannel_customers", "omnichannel_share",
                      "online_only_customers", "points_issued", "points_redeemed"] + kinds.map { "taps_\($0)" }
        func ratio(_ value: Double?) -> String { value.map { String(format: "%.4f", $0) } ?? "" }
        func line(_ label: String, _ f: ReportFigures) -> String {
            CSVText.line([label, f.start.description, f.end.description, "\(f.visits)", "\(f.uniqueCustomers)",
                          "\(f.identifiedVisits)", ratio(f.identifiedShare), "\(f.unknownVisits)", "\(f.convertedVisits)",
                          ratio(f.conversion), "\(f.signUps)", "\(f.kioskSignUps)", "\(f.nps.responses)", "\(f.nps.promoters)",
                          "\(f.nps.passives)", "\(f.nps.detractors)", f.nps.score.map { String(format: "%.1f", $0) } ?? "",
                          "\(f.repeatCustomers)", ratio(f.repeatRate), "\(f.omnichannelCustomers)", ratio(f.omnichannelShare),
                          f.onlineOnlyCustomers.map(String.init) ?? "", "\(f.pointsIssued)", "\(f.pointsRedeemed)"] + kinds.map { "\(f.tapsByKind[$0] ?? 0)" })
        }
        return CSVText.line(header) + buckets.map { line(by.rawValue, $0) }.joined() + line("total", total)
    }
}

extension SegmentMember {
    /// A segment's members as a campaign CSV: the same columns from the API and the command line.
    public static func csv(_ members: [SegmentMember]) -> String {
        CSVText.line(["profile_id", "first_name", "email", "phone", "recency_days", "frequency", "monetary_minor",
                      "r", "f", "m", "churn_risk"])
            + members.map { m in
                CSVText.line([m.profileId.uuidString.lowercased(), m.firstName ?? "", m.email ?? "", m.phone ?? "",
                              "\(m.recency)", "\(m.frequency)", "\(m.monetary)", "\(m.r)", "\(m.f)", "\(m.m)",
                              m.churnRisk ? "yes" : "no"])
            }.joined()
    }
}

/// Where the values of selected query parameters sit in a URL's bytes.
///
/// No percent-decoding: the tag writes its mirrors as raw hex, and the MAC covers the raw text.
struct SUNQueryParameters {
    /// Byte range of each wanted parameter's value (empty for `name` or `name=`).
    private(set) var valueRanges: [String: Range<Int>] = [:]

    /// - Throws: ``CardProtocolError`` `.malformed` when a wanted parameter appears twice: which copy
    ///   the tag wrote would be ambiguous, and the second could be an attacker's.
    init(url: [UInt8], wanted: Set<String>) throws {
        guard !wanted.isEmpty, let questionMark = url.firstIndex(of: UInt8(ascii: "?")) else { return }
        let queryEnd = url[questionMark...].firstIndex(of: UInt8(ascii: "#")) ?? url.count
        var pairStart = questionMark + 1
        while pairStart <= queryEnd {
            let pairEnd = url[pairStart..<queryEnd].firstIndex(of: UInt8(ascii: "&")) ?? queryEnd
            let equals = url[pairStart..<pairEnd].firstIndex(of: UInt8(ascii: "="))
            let nameEnd = equals ?? pairEnd
            let valueStart = equals.map { $0 + 1 } ?? pairEnd
            let name = String(decoding: url[pairStart..<nameEnd], as: UTF8.self)
            if wanted.contains(name) {
                guard valueRanges[name] == nil else {
                    throw CardProtocolError.malformed("parameter \(name) appears twice")
                }
                valueRanges[name] = valueStart..<pairEnd
            }
            pairStart = pairEnd + 1
        }
    }
}

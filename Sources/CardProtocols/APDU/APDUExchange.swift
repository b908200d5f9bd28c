/// The T=0 response dance, as pure logic over a transmit closure.
///
/// Readers and cards on T=0 (and some on T=1 that imitate it) answer `61xx` ("xx more bytes, ask with
/// GET RESPONSE") or `6Cxx` ("wrong Le, resend with xx"). This type performs those follow-ups so callers
/// see one complete response. It does no I/O of its own.
public enum APDUExchange {
    /// Sends `command` and follows `6Cxx` and `61xx` answers.
    ///
    /// - `6Cxx`: resends the same command once with Le = xx (`00` = 256); a second `6Cxx` is an error.
    /// - `61xx`: sends GET RESPONSE with Le = xx and appends the data, until another status arrives.
    ///
    /// - Parameters:
    ///   - maximumResponseBytes: the most data bytes accepted across all GET RESPONSEs.
    ///   - maximumGetResponses: the most GET RESPONSE commands sent; a card answering `61xx` forever
    ///     stops here.
    /// - Returns: the concatenated data with the status of the last response.
    /// - Throws: ``CardProtocolError/limitExceeded`` when a bound is crossed,
    ///   ``CardProtocolError/unexpectedStatus`` on a repeated `6Cxx`, and whatever `transmit` throws.
    public static func run(
        _ command: CommandAPDU,
        maximumResponseBytes: Int = 65_536,
        maximumGetResponses: Int = 64,
        isolation: isolated (any Actor)? = #isolation,
        transmit: (CommandAPDU) async throws -> ResponseAPDU
    ) async throws -> ResponseAPDU {
        var response = try await transmit(command)

        if let wanted = response.status.correctExpectedLength {
            response = try await transmit(try command.withExpectedLength(wanted))
            if response.status.correctExpectedLength != nil {
                throw CardProtocolError.unexpectedStatus(
                    "card answered \(response.status) again after the command was resent with Le \(wanted)")
            }
        }

        var data = response.data
        var getResponses = 0
        while let available = response.status.bytesAvailable {
            guard data.count <= maximumResponseBytes else { break }
            guard getResponses < maximumGetResponses else {
                throw CardProtocolError.limitExceeded(
                    "card still answers \(response.status) after \(getResponses) GET RESPONSE commands")
            }
            getResponses += 1
            response = try await transmit(try .getResponse(length: available))
            data += response.data
        }
        guard data.count <= maximumResponseBytes else {
            throw CardProtocolError.limitExceeded(
                "response of \(data.count) bytes exceeds the limit of \(maximumResponseBytes) bytes")
        }
        return ResponseAPDU(data: data, status: response.status)
    }
}

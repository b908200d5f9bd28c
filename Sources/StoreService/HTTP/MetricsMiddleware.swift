import Logging
import Hummingbird

/// Times every request into ``StoreMetrics``. Outermost, so the time includes auth and error encoding.
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: StoreMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let clock = ContinuousClock()
        let start = clock.now
        let response = try await next(request, context)
        metrics.requestObserved(method: request.method.rawValue, route: context.endpointPath ?? "unmatched",
                                status: response.status.code, duration: clock.now - start)
        return response
    }
}

/// `Array.withUnsafeBytes` rethrows as `any Error`; this keeps the body's error type, so code
/// with typed throws reads bytes without re-wrapping what it throws.
extension Array where Element == UInt8 {
  @inlinable
  public func withBytes<Result, Failure: Error>(
    _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
  ) throws(Failure) -> Result {
    let outcome: Swift.Result<Result, Failure> = withUnsafeBytes { raw in
      do throws(Failure) { return .success(try body(raw)) } catch { return .failure(error) }
    }
    return try outcome.get()
  }
}

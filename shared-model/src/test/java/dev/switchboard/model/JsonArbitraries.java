package dev.switchboard.model;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

import java.math.BigInteger;

/** Generators of JSON values for the fuzz properties: hostile in type and size, bounded in depth. */
final class JsonArbitraries {

  private JsonArbitraries() {
  }

  /** Any Java string, lone surrogates and control characters included. */
  static Arbitrary<String> anyText() {
    return Arbitraries.strings().all().ofMaxLength(40);
  }

  /** Well-formed Unicode text (no lone surrogate), supplementary characters included. */
  static Arbitrary<String> unicodeText(int maxLength) {
    Arbitrary<Integer> codePoint = Arbitraries.oneOf(
        Arbitraries.integers().between(0, 0x7f),
        Arbitraries.integers().between(0, 0xD7FF),
        Arbitraries.integers().between(0xE000, 0x10FFFF));
    return codePoint.list().ofMaxSize(maxLength).map(cps -> {
      StringBuilder sb = new StringBuilder();
      cps.forEach(sb::appendCodePoint);
      return sb.toString();
    });
  }

  /** JSON scalars of every kind a decoder meets: null, booleans, ints, longs, big and fractional numbers, strings. */
  static Arbitrary<Object> scalar() {
    return Arbitraries.oneOf(
        Arbitraries.just(null),
        Arbitraries.of(true, false),
        Arbitraries.integers(),
        Arbitraries.longs(),
        Arbitraries.of(0, -1, 1, Integer.MAX_VALUE, Integer.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE),
        Arbitraries.bigIntegers().between(BigInteger.valueOf(Long.MAX_VALUE).multiply(BigInteger.TEN),
            BigInteger.valueOf(Long.MAX_VALUE).pow(2)).map(b -> (Object) b),
        Arbitraries.doubles().between(-1e12, 1e12).map(d -> (Object) d),
        Arbitraries.of(1.0, -0.0, 1.5, 1e300),
        anyText().map(s -> (Object) s),
        Arbitraries.of("lobby", "team-1", "", "a".repeat(129), "bad room", "3f2a9c1d-0", "drain", "rebalance"));
  }

  /** Any JSON value, nested up to {@code depth} arrays and objects. */
  static Arbitrary<Object> value(int depth) {
    if (depth <= 0) {
      return scalar();
    }
    return Arbitraries.frequencyOf(
        Tuple.of(6, scalar()),
        Tuple.of(1, Arbitraries.lazy(() -> value(depth - 1)).list().ofMaxSize(4).map(JsonArray::new)),
        Tuple.of(1, Arbitraries.lazy(() -> object(depth - 1, anyText()))));
  }

  /** A JSON object whose keys are mostly {@code knownKeys} (so decoders get past their first check), values of any type. */
  static Arbitrary<Object> object(int depth, Arbitrary<String> keys) {
    return Combinators.combine(keys, Arbitraries.lazy(() -> value(depth))).as(Tuple::of)
        .list().ofMaxSize(8)
        .map(entries -> {
          JsonObject json = new JsonObject();
          entries.forEach(e -> json.put(e.get1(), e.get2()));
          return json;
        });
  }

  static Arbitrary<JsonObject> objectWithKeys(int depth, String... knownKeys) {
    Arbitrary<String> keys = Arbitraries.frequencyOf(
        Tuple.of(8, Arbitraries.of(knownKeys)),
        Tuple.of(1, anyText()));
    return object(depth, keys).map(o -> (JsonObject) o);
  }
}

package dev.switchboard.model;

/** A backend record breaks a rule of PROTOCOL §1; carries the field, the rule and the offending value. */
public final class InvalidRecordException extends IllegalArgumentException {

  private final String field;
  private final String rule;
  private final transient Object value;

  public InvalidRecordException(String field, String rule, Object value) {
    super("invalid backend record: field '" + field + "' " + rule + " (got " + describe(value) + ")");
    this.field = field;
    this.rule = rule;
    this.value = value;
  }

  public String field() {
    return field;
  }

  public String rule() {
    return rule;
  }

  public Object value() {
    return value;
  }

  private static String describe(Object value) {
    if (value == null) {
      return "nothing";
    }
    String text = value instanceof String s ? '"' + s + '"' : String.valueOf(value);
    return text.length() > 80 ? text.substring(0, 80) + "…" : text;
  }
}

package dev.switchboard.backend.impl;

import java.util.regex.Pattern;

/**
 * The room patterns of a ticket: a room name in which {@code *} stands for any run of room-name
 * characters, the empty run included. {@code lobby} is that room only, {@code team-*} every room that
 * starts with {@code team-}, {@code *} every room. Nothing else is special (room names cannot contain
 * {@code *}). Matching takes at most pattern length × room length steps (no exponential backtracking).
 */
public final class RoomGlob {

  /** Room-name characters plus {@code *}, 1 to 128 of them. */
  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._:*-]{1,128}");

  private RoomGlob() {
  }

  public static boolean isValid(String pattern) {
    return pattern != null && VALID.matcher(pattern).matches();
  }

  /** Whether {@code room} matches {@code pattern}. */
  public static boolean matches(String pattern, String room) {
    int p = 0;
    int r = 0;
    int star = -1;
    int resume = 0;
    while (r < room.length()) {
      if (p < pattern.length() && pattern.charAt(p) == '*') {
        star = p++;
        resume = r;
      } else if (p < pattern.length() && pattern.charAt(p) == room.charAt(r)) {
        p++;
        r++;
      } else if (star >= 0) {
        // let the last star take one more character and try the rest again
        p = star + 1;
        r = ++resume;
      } else {
        return false;
      }
    }
    while (p < pattern.length() && pattern.charAt(p) == '*') {
      p++;
    }
    return p == pattern.length();
  }
}

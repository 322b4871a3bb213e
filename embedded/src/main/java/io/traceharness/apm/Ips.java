package io.traceharness.apm;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * IP literals as APM Server reads and writes them (elastic/apm-data v1.22.0
 * model/modelpb/ip.go {@code ParseIP}, {@code IP2String}: Go's {@code netip.ParseAddr} and
 * {@code Addr.String}). Only literals: a host name is not an IP and is never looked up.
 */
final class Ips {

  private static final Pattern IPV4 =
      Pattern.compile("(0|[1-9][0-9]{0,2})\\.(0|[1-9][0-9]{0,2})\\.(0|[1-9][0-9]{0,2})\\.(0|[1-9][0-9]{0,2})");
  private static final Pattern IPV6_CHARS = Pattern.compile("[0-9a-fA-F:.]+");

  private Ips() {
  }

  /** The address in Go's canonical form, or null when {@code s} is not an IP literal. */
  static String parse(String s) {
    if (s == null) {
      return null;
    }
    var v4 = IPV4.matcher(s);
    if (v4.matches()) {
      for (int i = 1; i <= 4; i++) {
        if (Integer.parseInt(v4.group(i)) > 255) {
          return null;
        }
      }
      return s;
    }
    // netip keeps a zone, but the modelpb IP it is converted to drops it
    String address = s.contains("%") ? s.substring(0, s.indexOf('%')) : s;
    if (!address.contains(":") || !IPV6_CHARS.matcher(address).matches()) {
      return null;
    }
    try {
      byte[] bytes = InetAddress.getByName("[" + address + "]").getAddress();
      return bytes.length == 16 ? formatV6(bytes) : "::ffff:" + InetAddress.getByAddress(bytes).getHostAddress();
    } catch (UnknownHostException | IllegalArgumentException e) {
      return null;
    }
  }

  /** RFC 5952 form, as Go prints it: the longest run of two or more zero groups becomes "::". */
  private static String formatV6(byte[] b) {
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
    }
    boolean mapped = groups[0] == 0 && groups[1] == 0 && groups[2] == 0 && groups[3] == 0 && groups[4] == 0
        && groups[5] == 0xffff;
    if (mapped) {
      return "::ffff:" + (b[12] & 0xff) + "." + (b[13] & 0xff) + "." + (b[14] & 0xff) + "." + (b[15] & 0xff);
    }
    int bestStart = -1;
    int bestLength = 1;
    for (int i = 0; i < 8; i++) {
      int j = i;
      while (j < 8 && groups[j] == 0) {
        j++;
      }
      if (j - i > bestLength) {
        bestStart = i;
        bestLength = j - i;
      }
      i = Math.max(i, j);
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        out.append("::");
        i += bestLength - 1;
        continue;
      }
      if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
        out.append(':');
      }
      out.append(Integer.toHexString(groups[i]));
    }
    return out.toString();
  }
}

package io.traceharness.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.util.io.pem.PemGenerationException;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority for the machine the harness runs on, so embedded servers speak TLS the way
 * Elastic Cloud and API Gateway do, and every client the emulated AWS environment starts trusts them
 * as AWS trusts a public certificate: without code or config changes in the function, the layer or
 * the agent.
 *
 * <pre>{@code
 * LocalCertificateAuthority ca = LocalCertificateAuthority.shared();
 * LocalCertificateAuthority.ServerCertificate cert = ca.issueServer("apm-server");
 * Server.builder().https(8200).tls(cert.privateKey(), cert.chain());        // Armeria
 * env.putAll(ca.trustEnvironment(env));                                       // a child process
 * HttpClient.newBuilder().sslContext(ca.clientSslContext());                  // an in-process client
 * }</pre>
 *
 * <p>The CA's key pair and certificate are created once per directory ({@link #shared()}: under
 * {@link WorkDirs#cache()}), under a file lock so parallel JVMs agree on one CA. Server certificates
 * are issued in memory on demand (RSA 2048, one per call) for {@code localhost} and {@code 127.0.0.1}
 * plus any extra names; {@link ServerCertificate#written(Path)} writes them as PEM for a child process
 * (Elasticsearch).
 *
 * <p>How each kind of client comes to trust it, unchanged ({@link #trustEnvironment(Map)}):
 * <ul>
 *   <li>Node.js: {@code NODE_EXTRA_CA_CERTS} (added to Node's built-in roots; Node docs, "Environment
 *       variables").</li>
 *   <li>JVMs: {@code JAVA_TOOL_OPTIONS} {@code -Djavax.net.ssl.trustStore=…}. That property
 *       <em>replaces</em> the default trust store (JSSE Reference Guide, "TrustManagerFactory"), so the
 *       store written here holds the JDK's {@code cacerts} plus this CA; the options are appended to
 *       any {@code JAVA_TOOL_OPTIONS} already set (a javaagent layer's).</li>
 *   <li>OpenSSL- and Go-based tools: {@code SSL_CERT_FILE}. It too replaces the system roots (Go
 *       {@code crypto/x509/root_unix.go}), so it points at a bundle of the system's roots plus this
 *       CA.</li>
 * </ul>
 *
 * <p>Public because the apm, elasticsearch, apigateway and lambda packages and the scenario modules
 * serve or trust TLS with it.
 */
public final class LocalCertificateAuthority {

  private static final String CA_CERT = "ca.pem";
  private static final String CA_KEY = "ca-key.pem";
  private static final String BUNDLE = "ca-bundle.pem";
  private static final String TRUST_STORE = "truststore.p12";
  private static final String TRUST_STORE_PASSWORD = "changeit";
  private static final String SIGNATURE = "SHA256withRSA";
  private static final Duration CA_VALIDITY = Duration.ofDays(3650);
  private static final Duration SERVER_VALIDITY = Duration.ofDays(365);
  /** Where Debian/Ubuntu, Alpine and Amazon Linux (via symlink) keep the system roots (Go {@code crypto/x509/root_linux.go}). */
  private static final List<Path> SYSTEM_BUNDLES = List.of(Path.of("/etc/ssl/certs/ca-certificates.crt"),
      Path.of("/etc/pki/tls/certs/ca-bundle.crt"), Path.of("/etc/ssl/cert.pem"));
  private static final Map<Path, LocalCertificateAuthority> BY_DIR = new ConcurrentHashMap<>();
  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis() << 8);

  private final Path dir;
  private final X509Certificate certificate;
  private final PrivateKey key;

  private LocalCertificateAuthority(Path dir, X509Certificate certificate, PrivateKey key) {
    this.dir = dir;
    this.certificate = certificate;
    this.key = key;
  }

  /** The authority under {@link WorkDirs#cache()}{@code /ca}: one per machine and user, shared by runs. */
  public static LocalCertificateAuthority shared() {
    return in(WorkDirs.cache().resolve("ca"));
  }

  /** The authority kept in {@code dir}, created there (key, certificate, bundle, trust store) if missing. */
  public static LocalCertificateAuthority in(Path dir) {
    return BY_DIR.computeIfAbsent(dir.toAbsolutePath().normalize(), LocalCertificateAuthority::loadOrCreate);
  }

  /** The CA certificate every client is made to trust. */
  public X509Certificate certificate() {
    return certificate;
  }

  /** The CA certificate alone, PEM ({@code NODE_EXTRA_CA_CERTS}, a collector's {@code tls.ca_file}). */
  public Path caPem() {
    return dir.resolve(CA_CERT);
  }

  /** The system's roots plus the CA, PEM ({@code SSL_CERT_FILE}, curl's {@code --cacert}). */
  public Path bundlePem() {
    return dir.resolve(BUNDLE);
  }

  /** A PKCS#12 trust store with the running JDK's {@code cacerts} plus the CA. */
  public Path trustStore() {
    return dir.resolve(TRUST_STORE);
  }

  public String trustStorePassword() {
    return TRUST_STORE_PASSWORD;
  }

  /** The JVM flags that make a JVM trust the CA and every public root it trusted before. */
  public String javaTrustOptions() {
    return "-Djavax.net.ssl.trustStore=" + trustStore() + " -Djavax.net.ssl.trustStorePassword="
        + TRUST_STORE_PASSWORD + " -Djavax.net.ssl.trustStoreType=PKCS12";
  }

  /**
   * The variables to add to a child process's environment so Node, JVMs and OpenSSL/Go tools trust the
   * CA; {@code current} is the environment as it stands (its {@code JAVA_TOOL_OPTIONS} is kept, and a
   * {@code NODE_EXTRA_CA_CERTS}, {@code SSL_CERT_FILE} or trust store the caller set wins).
   */
  public Map<String, String> trustEnvironment(Map<String, String> current) {
    Map<String, String> env = new LinkedHashMap<>();
    if (!current.containsKey("NODE_EXTRA_CA_CERTS")) {
      env.put("NODE_EXTRA_CA_CERTS", caPem().toString());
    }
    if (!current.containsKey("SSL_CERT_FILE")) {
      env.put("SSL_CERT_FILE", bundlePem().toString());
    }
    String tool = current.getOrDefault("JAVA_TOOL_OPTIONS", "");
    if (!tool.contains("javax.net.ssl.trustStore=")) {
      env.put("JAVA_TOOL_OPTIONS", tool.isBlank() ? javaTrustOptions() : tool + " " + javaTrustOptions());
    }
    return env;
  }

  /** An SSL context for in-process clients: the JDK's roots plus the CA. */
  public SSLContext clientSslContext() {
    try {
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(loadTrustStore());
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot build an SSL context trusting " + caPem(), e);
    }
  }

  /** A server certificate for {@code localhost}, {@code 127.0.0.1}, {@code ::1} and {@code extraNames} (DNS names or IPs). */
  public ServerCertificate issueServer(String commonName, String... extraNames) {
    Set<String> names = new LinkedHashSet<>(List.of("localhost", "127.0.0.1", "::1"));
    names.addAll(List.of(extraNames));
    return issue(commonName, KeyPurposeId.id_kp_serverAuth, names);
  }

  /**
   * A client certificate (extended key usage {@code clientAuth}), for a client a server with mutual TLS
   * asks for one (a collector receiver's {@code tls.client_ca_file}).
   */
  public ServerCertificate issueClient(String commonName) {
    return issue(commonName, KeyPurposeId.id_kp_clientAuth, Set.of());
  }

  private ServerCertificate issue(String commonName, KeyPurposeId purpose, Set<String> names) {
    try {
      KeyPair pair = rsa();
      Instant now = Instant.now();
      JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(certificate,
          BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(now.minus(Duration.ofHours(1))),
          Date.from(now.plus(SERVER_VALIDITY)), new X500Name("CN=" + commonName + ",O=traceharness"),
          pair.getPublic());
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
      b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
      b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
      b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(certificate));
      if (!names.isEmpty()) {
        b.addExtension(Extension.subjectAlternativeName, false, subjectAltNames(names));
      }
      X509Certificate cert = sign(b.build(signer()));
      return new ServerCertificate(pair.getPrivate(), List.of(cert, certificate));
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot issue a certificate for " + commonName, e);
    }
  }

  /** A certificate and its key, for a server (or a client) that presents it; the chain ends with the CA. */
  public record ServerCertificate(PrivateKey privateKey, List<X509Certificate> chainList) {

    public ServerCertificate {
      chainList = List.copyOf(chainList);
    }

    /** The chain as Armeria's {@code tls(PrivateKey, X509Certificate...)} takes it. */
    public X509Certificate[] chain() {
      return chainList.toArray(X509Certificate[]::new);
    }

    /** A key manager factory presenting this certificate (JDK and Netty servers). */
    public KeyManagerFactory keyManagerFactory() {
      try {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("server", privateKey, new char[0], chain());
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        return kmf;
      } catch (GeneralSecurityException | IOException e) {
        throw new IllegalStateException("cannot build a key manager", e);
      }
    }

    /**
     * Writes {@code <dir>/cert.pem} (the chain) and {@code <dir>/key.pem} (PKCS#8) for a child process
     * such as Elasticsearch ({@code xpack.security.http.ssl.certificate} / {@code .key}).
     */
    public PemFiles written(Path dir) {
      Path cert = dir.resolve("cert.pem");
      Path key = dir.resolve("key.pem");
      try {
        Files.createDirectories(dir);
        StringBuilder chainPem = new StringBuilder();
        for (X509Certificate c : chainList) {
          chainPem.append(pem(c));
        }
        Files.writeString(cert, chainPem);
        Files.writeString(key, pkcs8(privateKey));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write the certificate under " + dir, e);
      }
      return new PemFiles(cert, key);
    }

    /** Where {@link #written(Path)} put the PEM files. */
    public record PemFiles(Path certificateChain, Path privateKey) {
    }
  }

  private static LocalCertificateAuthority loadOrCreate(Path dir) {
    try {
      Files.createDirectories(dir);
      try (FileChannel ch = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock ignored = ch.lock()) {
        Path certFile = dir.resolve(CA_CERT);
        Path keyFile = dir.resolve(CA_KEY);
        LocalCertificateAuthority ca;
        if (Files.isRegularFile(certFile) && Files.isRegularFile(keyFile)) {
          ca = new LocalCertificateAuthority(dir, readCertificate(certFile), readKey(keyFile));
        } else {
          ca = create(dir);
        }
        // the bundle and the trust store follow the system's and the running JDK's roots, which may
        // change between runs (a JDK update): rebuilt on every first use in a JVM
        ca.writeBundle();
        ca.writeTrustStore();
        return ca;
      }
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot set up the local certificate authority in " + dir, e);
    }
  }

  private static LocalCertificateAuthority create(Path dir) throws GeneralSecurityException, IOException {
    KeyPair pair = rsa();
    Instant now = Instant.now();
    X500Name name = new X500Name("CN=traceharness local CA " + now.getEpochSecond() + ",O=traceharness");
    JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now.toEpochMilli()),
        Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(CA_VALIDITY)), name, pair.getPublic());
    JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
    X509Certificate cert = sign(b.build(signer(pair.getPrivate())));
    writeAtomically(dir.resolve(CA_KEY), pkcs8(pair.getPrivate()));
    ownerOnly(dir.resolve(CA_KEY));
    writeAtomically(dir.resolve(CA_CERT), pem(cert));
    return new LocalCertificateAuthority(dir, cert, pair.getPrivate());
  }

  private void writeBundle() throws IOException {
    StringBuilder bundle = new StringBuilder();
    for (Path system : SYSTEM_BUNDLES) {
      if (Files.isReadable(system)) {
        bundle.append(Files.readString(system, StandardCharsets.UTF_8));
        if (bundle.length() > 0 && bundle.charAt(bundle.length() - 1) != '\n') {
          bundle.append('\n');
        }
        break;
      }
    }
    bundle.append(pem(certificate));
    writeAtomically(dir.resolve(BUNDLE), bundle.toString());
  }

  private void writeTrustStore() throws IOException, GeneralSecurityException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    KeyStore jdk = jdkCacerts();
    if (jdk != null) {
      for (String alias : Collections.list(jdk.aliases())) {
        if (jdk.isCertificateEntry(alias)) {
          store.setCertificateEntry(alias, jdk.getCertificate(alias));
        }
      }
    }
    store.setCertificateEntry("traceharness-local-ca", certificate);
    Path tmp = Files.createTempFile(dir, TRUST_STORE, ".tmp");
    try (var out = Files.newOutputStream(tmp)) {
      store.store(out, TRUST_STORE_PASSWORD.toCharArray());
    }
    move(tmp, dir.resolve(TRUST_STORE));
  }

  private KeyStore loadTrustStore() throws GeneralSecurityException {
    try (InputStream in = Files.newInputStream(trustStore())) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(in, TRUST_STORE_PASSWORD.toCharArray());
      return ks;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + trustStore(), e);
    }
  }

  /** {@code $JAVA_HOME/lib/security/cacerts}, or null where the JDK has none. */
  private static KeyStore jdkCacerts() throws GeneralSecurityException, IOException {
    Path cacerts = Path.of(System.getProperty("java.home"), "lib", "security", "cacerts");
    if (!Files.isReadable(cacerts)) {
      return null;
    }
    return KeyStore.getInstance(cacerts.toFile(), TRUST_STORE_PASSWORD.toCharArray());
  }

  private static GeneralNames subjectAltNames(Set<String> names) {
    List<GeneralName> out = new ArrayList<>();
    for (String n : names) {
      boolean ip = n.matches("[0-9.]+") || n.contains(":");
      out.add(new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, n));
    }
    return new GeneralNames(out.toArray(GeneralName[]::new));
  }

  private static KeyPair rsa() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048, new SecureRandom());
    return g.generateKeyPair();
  }

  private ContentSigner signer() throws GeneralSecurityException {
    return signer(key);
  }

  private static ContentSigner signer(PrivateKey key) throws GeneralSecurityException {
    try {
      return new JcaContentSignerBuilder(SIGNATURE).build(key);
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  private static X509Certificate sign(X509CertificateHolder holder) throws GeneralSecurityException {
    return new JcaX509CertificateConverter().getCertificate(holder);
  }

  private static X509Certificate readCertificate(Path file) throws IOException, GeneralSecurityException {
    try (Reader r = Files.newBufferedReader(file); PEMParser p = new PEMParser(r)) {
      return sign((X509CertificateHolder) p.readObject());
    }
  }

  private static PrivateKey readKey(Path file) throws IOException {
    try (Reader r = Files.newBufferedReader(file); PEMParser p = new PEMParser(r)) {
      Object o = p.readObject();
      JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
      return o instanceof PEMKeyPair kp ? conv.getKeyPair(kp).getPrivate() : conv.getPrivateKey((PrivateKeyInfo) o);
    }
  }

  private static String pem(Object o) {
    StringWriter s = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(s)) {
      w.writeObject(o);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return s.toString();
  }

  /** {@code BEGIN PRIVATE KEY} (PKCS#8), which every reader here takes; BouncyCastle's default is PKCS#1. */
  private static String pkcs8(PrivateKey key) {
    try {
      return pem(new JcaPKCS8Generator(key, null).generate());
    } catch (PemGenerationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void writeAtomically(Path target, String content) throws IOException {
    Path tmp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".tmp");
    try (Writer w = Files.newBufferedWriter(tmp)) {
      w.write(content);
    }
    move(tmp, target);
  }

  /** The CA key signs for anything on this machine: only its owner reads it, where the file system says so. */
  private static void ownerOnly(Path file) throws IOException {
    if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}

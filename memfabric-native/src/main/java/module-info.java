/**
 * The Java side of the C library (libmemfabric.so): the bridge classes its functions call through JNI, and the SLF4J
 * provider whose log lines the library hands to its caller. Nothing here is an API for Java programs.
 */
module io.memfabric.nativeapi {
    requires io.memfabric.bm;
    requires io.memfabric.trans;
    requires org.slf4j;

    // The log provider is chosen by name (-Dslf4j.provider) in the JVM the library starts, never by discovery: a
    // Java program with this jar on its path keeps the provider it has.
    exports io.memfabric.nativeapi.log to org.slf4j;
}

/** The toolkit version recorded in every model bundle. A test keeps it equal to package.json's. */
export const VERSION = "0.1.0";

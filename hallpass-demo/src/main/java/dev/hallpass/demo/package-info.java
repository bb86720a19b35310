/** The runnable demo: a web page using supertokens-website against the Hallpass servlet layer. */
package dev.hallpass.demo;
